import { nowUtc } from '../../../src/db/knex';
import { emit } from '../../../src/events/outbox';
import { Scheduler } from '../../../src/jobs/scheduler';
import type { Job } from '../../../src/jobs/job';
import { makeTestApp, type TestApp } from '../../helpers/app';
import { freshDatabase } from '../../helpers/db';
import { startReceiver } from '../../fakes/webhook-receiver';

let t: TestApp;
let beta: Awaited<ReturnType<typeof freshDatabase>>;
beforeAll(async () => {
  t = await makeTestApp();
  beta = await freshDatabase();
});
afterAll(async () => {
  await t.close();
  await beta.drop();
});

test('a tenant whose database cannot be opened does not stop webhooks and jobs of the other tenants', async () => {
  const enc = (url: string) => t.rt.secrets.encrypt(url);
  // Listed before beta: its failure comes first.
  await t.db('tenants').insert({ slug: 'broken', name: 'Broken', hostname: 'broken.test', database_url_enc: enc('sqlite:/etc/passwd/x.sqlite'), status: 'active', created_at: nowUtc() });
  await t.db('tenants').insert({ slug: 'beta', name: 'Beta', hostname: 'beta.test', database_url_enc: enc(beta.url), status: 'active', created_at: nowUtc() });
  const betaId = (await t.db('tenants').where({ slug: 'beta' }).first()).id;
  const betaDb = await t.rt.tenants.dbFor(betaId);

  const rx = await startReceiver();
  try {
    const now = nowUtc();
    await betaDb('webhooks').insert({ url: rx.url, events: JSON.stringify(['ticket.created']), secret_enc: enc('whsec_beta'), active: true, created_at: now, updated_at: now });
    await betaDb.transaction((trx) => emit(trx, 'ticket.created', { ticket_id: 3 }));

    const seen: string[] = [];
    const job: Job = { name: 'probe', everyMs: 60_000, run: async (ctx) => void seen.push(ctx.tenant.slug) };
    const scheduler = new Scheduler(t.rt, [job]);
    await scheduler.deliverWebhooks();
    await scheduler.runJob(job);

    expect(rx.received).toHaveLength(1);
    expect(JSON.parse(rx.received[0].body)).toMatchObject({ event: 'ticket.created', data: { ticket_id: 3 } });
    expect(seen).toEqual(['default', 'beta']);
    expect(t.logs.join('\n')).toMatch(/job failed for a tenant.*broken|broken.*job failed for a tenant/);
  } finally {
    await rx.close();
  }
});
