import { defineTask } from '../../../src/jobs/queue';
import { makeTestApp, type TestApp } from '../../helpers/app';
import { callAs, cleanupTenants, randomSlug } from './helpers';

// A task that reports whose database it ran on.
const probe = defineTask({
  name: 'test.tenant_probe',
  section: 'customers',
  async run(ctx) {
    return { tenant: ctx.tenant.slug, plans: await ctx.db('plans').pluck('name') };
  },
});

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp({ tasks: [probe] });
});
afterAll(async () => {
  if (t) await cleanupTenants(t);
  await t?.close();
});

test("a suspended tenant's jobs wait, and run on its own database once it is resumed", async () => {
  const slug = randomSlug();
  const p = await t.call('tenant_provision', { slug, name: slug, domains: [`${slug}.test`], admin_username: 'boss', admin_email: 'boss@example.com' });
  expect(p).toMatchObject({ ok: true });
  const id = p.data.tenant.id;
  expect(await callAs(t, `${slug}.test`, p.data.api_key, 'add_plan', { name: 'Tenant plan', download: '10M', upload: '1M', price: '1' })).toMatchObject({ ok: true });
  expect(await t.call('tenant_suspend', { id })).toMatchObject({ ok: true });
  const tdb = await t.rt.tenants.dbFor(id);
  const tenant = (await t.rt.tenants.list()).find((x) => x.tenant.id === id)?.tenant ?? { id, slug, name: slug };
  const job = await t.rt.jobs.forTenant(tenant, tdb, 'test').enqueue('test.tenant_probe', {});
  await expect(t.rt.jobs.execute({ tenantId: id, jobId: job.id, task: 'test.tenant_probe' })).rejects.toMatchObject({ code: 'tenant_suspended' });
  expect(await tdb('jobs').where({ id: job.id }).first()).toMatchObject({ state: 'queued', attempts: 0 });
  expect((await t.rt.tenants.list()).map((x) => x.tenant.id)).not.toContain(id);

  expect(await t.call('tenant_resume', { id })).toMatchObject({ ok: true });
  await t.rt.jobs.sweep();
  const done = await t.rt.jobs.forTenant(tenant, await t.rt.tenants.dbFor(id), 'test').wait(job.id, 10_000);
  expect(done).toMatchObject({ state: 'completed', result: { tenant: slug, plans: ['Tenant plan'] } });
  expect(await t.db('jobs').count({ n: '*' })).toEqual([{ n: 0 }]); // nothing on the platform's queue
});
