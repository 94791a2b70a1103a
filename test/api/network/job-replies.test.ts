/**
 * Fan-outs run as jobs whose id the reply carries: edit_plan's re-application, delete_router's deprovisioning and
 * a month's generation (async=1 answers at once). job_status reads state, progress and result.
 */
import request from 'supertest';
import { makeTestApp, type TestApp } from '../../helpers/app';
import { FakeRouterOS } from '../../fakes/routeros-server';
import { today } from '../../../src/services/billing/invoices';

// The subscribers are made now: the month they are billed in is this month of the installation's calendar.
const month = today().slice(0, 7);

let t: TestApp;
let fake: FakeRouterOS;
let planId: number;
let routerId: number;

beforeAll(async () => {
  fake = new FakeRouterOS();
  await fake.listen();
  t = await makeTestApp({ env: { ROUTER_TIMEOUT_MS: '3000' } });
  planId = (await t.call('add_plan', { name: 'J', download: '20M', upload: '2M', price: '25' })).data.id;
  routerId = (await t.call('add_router', { ip: '127.0.0.1', name: 'jr', user: 'admin', pass: 'secret', port: String(fake.port), radius_secret: 's', mode: 'api' })).data.id;
  for (const u of ['j1', 'j2', 'j3']) {
    expect(await t.call('add', { username: u, password: 'pw', plan: 'J', router: 'jr', static_ip: `10.50.0.${u[1]}` })).toMatchObject({ ok: true });
  }
});
afterAll(async () => {
  await t.close();
  await fake.close();
});

test('edit_plan answers the plan, the re-application result and its job_id; job_status shows the job done with its progress', async () => {
  const body = await t.call('edit_plan', { id: planId, download: '40M' });
  expect(body).toMatchObject({ ok: true, data: { id: planId, download: '40M', reapplied: { queues: { updated: 3, failed: 0 } }, job_id: expect.any(String) } });
  const job = await t.call('job_status', { id: body.data.job_id });
  expect(job).toMatchObject({ ok: true, data: { task: 'network.reapply_plan', state: 'completed', progress: { done: 3, total: 3 }, result: { queues: { updated: 3 } } } });
  expect(fake.rows('/queue/simple').map((q) => q['max-limit'])).toEqual(['2M/40M', '2M/40M', '2M/40M']);
  // Only a price change: nothing to re-apply, no job.
  expect(await t.call('edit_plan', { id: planId, price: '30' })).toMatchObject({ ok: true, data: { price_cents: 3000, job_id: null } });
});

test('generate_invoices_month async=1 answers a job id at once; job_status then carries the result', async () => {
  const body = await t.call('generate_invoices_month', { month, async: '1' });
  expect(body).toMatchObject({ ok: true, data: { job_id: expect.any(String), month } });
  expect(body.data.created).toBeUndefined();
  const done = await t.ctx().jobs.wait(body.data.job_id, 20_000);
  expect(done).toMatchObject({ state: 'completed', result: { month, created: 3, total_for_month: 3 } });
  expect(Number((await t.db('invoices').where({ period: month }).count({ n: '*' }))[0].n)).toBe(3);
  // Without async the reply is the result, as before, plus the job's id.
  const again = await t.call('generate_invoices_month', { month });
  expect(again).toMatchObject({ ok: true, data: { month, created: 0, already_generated: true, job_id: expect.any(String) } });
  expect(await t.call('generate_invoices_month', { month: '2026-13', async: '1' })).toMatchObject({ ok: false, error: 'invalid_month' });
});

test('/metrics counts jobs by task and state', async () => {
  const m = await request(t.app).get('/metrics');
  expect(m.status).toBe(200);
  expect(m.text).toMatch(/ispgate_jobs\{task="network.reapply_plan",state="completed"\} 1/);
  expect(m.text).toMatch(/ispgate_jobs\{task="billing.generate_month",state="completed"\} 2/);
});

test('delete_router: unknown id and bad id refused; the deprovisioning job empties the router and its reply carries job_id', async () => {
  expect(await t.call('delete_router', { id: 'x' })).toMatchObject({ ok: false, error: 'invalid_id' });
  expect(await t.call('delete_router', { id: 99999 })).toMatchObject({ ok: false, error: 'router_not_found' });
  const body = await t.call('delete_router', { id: routerId });
  expect(body).toMatchObject({ ok: true, data: { id: routerId, deleted: true, customers_detached: 3, router_entries_removed_for: 3, job_id: expect.any(String) } });
  const job = await t.call('job_status', { id: body.data.job_id });
  expect(job).toMatchObject({ ok: true, data: { task: 'network.delete_router', state: 'completed', progress: { done: 3, total: 3 } } });
  expect(fake.rows('/ppp/secret')).toHaveLength(0);
  expect(fake.rows('/queue/simple')).toHaveLength(0);
  expect(await t.db('routers').where({ id: routerId }).first()).toBeUndefined();
  expect(await t.db('customers').whereNotNull('router_id')).toHaveLength(0);
});

test("edit_plan on a plan with more subscribers than SQLite's 32,766 bound variables re-applies without failing", async () => {
  const plan = (await t.call('add_plan', { name: 'Huge', download: '10M', upload: '1M' })).data;
  const now = '2026-11-01 00:00:00';
  const rows = Array.from({ length: 33_000 }, (_, i) => ({ username: `h${i}`, password: 'pw', plan_id: plan.id, status: 'active', created_at: now, updated_at: now }));
  await t.db.batchInsert('customers', rows, 400);
  // One of them is online, so the session look-up has to find it among the chunks.
  await t.db('radacct').insert({ acctsessionid: 's1', acctuniqueid: 'u1', username: 'h32999', nasipaddress: '127.0.0.1', acctstarttime: now });
  const body = await t.call('edit_plan', { id: plan.id, download: '20M' });
  expect(body).toMatchObject({ ok: true, data: { subscribers: 33_000, reapplied: { coa: { sessions: 1 } }, job_id: expect.any(String) } });
}, 60_000);
