import knexFactory from 'knex';
import { Scheduler } from '../../../src/jobs/scheduler';
import { makeTestApp, type TestApp } from '../../helpers/app';
import { startReceiver } from '../../fakes/webhook-receiver';
import { callAs, cleanupTenants, randomSlug } from '../../api/tenants/helpers';
import { testIf } from '../../helpers/skip';

/**
 * Two tenants provisioned through the API, each with a subscriber, an invoice and a webhook: no read, list,
 * search, webhook delivery or job of one touches the other.
 */
let t: TestApp;
let rxA: Awaited<ReturnType<typeof startReceiver>>;
let rxB: Awaited<ReturnType<typeof startReceiver>>;
const tenants: Record<'a' | 'b', { slug: string; host: string; key: string; customerId: number; invoiceId: number }> = {} as never;

beforeAll(async () => {
  t = await makeTestApp();
  rxA = await startReceiver();
  rxB = await startReceiver();
  for (const [k, user, rx] of [['a', 'alice', rxA], ['b', 'bob', rxB]] as const) {
    const slug = randomSlug(k);
    const host = `panel.${slug}.test`;
    const p = await t.call('tenant_provision', { slug, name: `ISP ${k}`, domains: [host], admin_username: 'boss', admin_email: 'boss@example.com' });
    expect(p).toMatchObject({ ok: true });
    const key = p.data.api_key;
    expect(await callAs(t, host, key, 'webhook_create', { url: rx.url, events: ['*'] })).toMatchObject({ ok: true });
    expect(await callAs(t, host, key, 'add_plan', { name: `Plan ${k}`, download: '10M', upload: '1M', price: '10' })).toMatchObject({ ok: true });
    const c = await callAs(t, host, key, 'add', { username: user, password: 'pw', plan: `Plan ${k}`, fullname: `${user} Surname` });
    expect(c).toMatchObject({ ok: true });
    const inv = await callAs(t, host, key, 'create_invoice_manual', { customer_id: c.data.id, lines: [{ description: `Service for ${user}`, unit_price: '10.00' }] });
    expect(inv).toMatchObject({ ok: true });
    tenants[k] = { slug, host, key, customerId: c.data.id, invoiceId: inv.data.id };
  }
});
afterAll(async () => {
  await rxA?.close();
  await rxB?.close();
  if (t) await cleanupTenants(t);
  await t?.close();
});

test('reads, lists and searches see only the tenant’s own data', async () => {
  const { a, b } = tenants;
  const listA = await callAs(t, a.host, a.key, 'list_customers');
  const listB = await callAs(t, b.host, b.key, 'list_customers');
  expect(listA.data.map((c: { username: string }) => c.username)).toEqual(['alice']);
  expect(listB.data.map((c: { username: string }) => c.username)).toEqual(['bob']);
  expect((await callAs(t, a.host, a.key, 'list_customers', { search: 'bob' })).data).toEqual([]);
  expect(await callAs(t, a.host, a.key, 'get_customer', { username: 'bob' })).toMatchObject({ ok: false });
  // Same id in both databases: each host answers its own row.
  expect(a.customerId).toBe(b.customerId);
  expect(await callAs(t, a.host, a.key, 'get_customer', { id: b.customerId })).toMatchObject({ ok: true, data: { username: 'alice' } });
  const invA = await callAs(t, a.host, a.key, 'list_invoices');
  expect(JSON.stringify(invA)).not.toContain('bob');
  expect(invA.data).toHaveLength(1);
  expect(await callAs(t, b.host, b.key, 'get_invoice', { id: b.invoiceId })).toMatchObject({ ok: true });
  const hooksA = await callAs(t, a.host, a.key, 'webhook_list');
  expect(hooksA.data.map((h: { url: string }) => h.url)).toEqual([rxA.url]);
  // The platform sees none of it.
  expect((await t.call('list_customers')).data).toEqual([]);
  expect(await t.db('customers').count({ n: '*' })).toEqual([{ n: 0 }]);
});

test('webhook deliveries and jobs run per tenant and never cross', async () => {
  const s = new Scheduler(t.rt, []);
  await s.deliverWebhooks();
  const bodiesA = rxA.received.map((r) => r.body).join('\n');
  const bodiesB = rxB.received.map((r) => r.body).join('\n');
  expect(bodiesA).toContain('alice');
  expect(bodiesA).not.toContain('bob');
  expect(bodiesB).toContain('bob');
  expect(bodiesB).not.toContain('alice');

  const seen: Array<{ tenant: string; users: string[] }> = [];
  await s.runJob({ name: 'probe', everyMs: 60_000, run: async (ctx) => void seen.push({ tenant: ctx.tenant.slug, users: await ctx.db('customers').pluck('username') }) });
  expect(seen).toEqual(
    expect.arrayContaining([
      { tenant: 'default', users: [] },
      { tenant: tenants.a.slug, users: ['alice'] },
      { tenant: tenants.b.slug, users: ['bob'] },
    ]),
  );
});

// SQLite tenants are separate files with no database users; the user check is MariaDB's alone.
testIf(process.env.TEST_DATABASE === 'mysql', 'database users and grants are MariaDB only: run with TEST_DATABASE=mysql')('MariaDB only: tenant A’s database user cannot read tenant B’s database nor the platform’s', async () => {
  const rowA = await t.db('tenants').where({ slug: tenants.a.slug }).first();
  const rowB = await t.db('tenants').where({ slug: tenants.b.slug }).first();
  const u = new URL(t.rt.secrets.decrypt(rowA.database_url_enc));
  const asA = knexFactory({ client: 'mysql2', connection: { host: u.hostname, port: Number(u.port), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password) } });
  try {
    expect(await asA.raw('SELECT username FROM ??.customers', [rowA.db_name]).then((r) => r[0].map((x: { username: string }) => x.username))).toEqual(['alice']);
    await expect(asA.raw('SELECT username FROM ??.customers', [rowB.db_name])).rejects.toMatchObject({ code: expect.stringMatching(/ACCESS_DENIED/) });
    const mainDb = new URL(t.config.DATABASE_URL).pathname.slice(1);
    await expect(asA.raw('SELECT * FROM ??.tenants', [mainDb])).rejects.toMatchObject({ code: expect.stringMatching(/ACCESS_DENIED/) });
    const dbs = (await asA.raw('SHOW DATABASES'))[0].map((r: { Database: string }) => r.Database);
    expect(dbs).toContain(rowA.db_name);
    expect(dbs).not.toContain(rowB.db_name);
    expect(dbs).not.toContain(mainDb);
  } finally {
    await asA.destroy();
  }
});
