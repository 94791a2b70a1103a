import type { Knex } from 'knex';
import { closeRuntime, createRuntime } from '../../../src/app';
import type { Runtime } from '../../../src/runtime';
import { createLogger } from '../../../src/logger';
import { FakeNas } from '../../fakes/fake-nas';
import { makeTestApp, type TestApp } from '../../helpers/app';
import { callAs, cleanupTenants, randomSlug } from './helpers';

let t: TestApp;
let nas: FakeNas;

beforeAll(async () => {
  nas = new FakeNas('nas-secret');
  await nas.listen();
  t = await makeTestApp({ env: { COA_TIMEOUT_MS: '2000', COA_RETRIES: '0' } });
});
afterAll(async () => {
  if (t) await cleanupTenants(t);
  await t?.close();
  await nas?.close();
});

/** The platform's job, polled through the API as an operator would. */
async function finished(jobId: string) {
  for (let i = 0; i < 200; i++) {
    const r = await t.call('job_status', { id: jobId });
    if (r.ok && (r.data.state === 'completed' || r.data.state === 'failed')) return r.data;
    await new Promise((ok) => setTimeout(ok, 50));
  }
  throw new Error(`job ${jobId} did not finish`);
}

const rows = async (tdb: Knex, username: string) => ({
  check: (await tdb('radcheck').where({ username }).orderBy('id')).map((r) => [r.attribute, r.op, r.value]),
  groups: (await tdb('radusergroup').where({ username })).map((r) => r.groupname),
});

test('suspend with cut_service=1 rejects and disconnects every active subscriber; resume restores exactly those', async () => {
  const slug = randomSlug();
  const host = `${slug}.test`;
  const p = await t.call('tenant_provision', { slug, name: slug, domains: [host], admin_username: 'boss', admin_email: 'boss@example.com' });
  expect(p).toMatchObject({ ok: true });
  const key = p.data.api_key;
  const call = (action: string, fields: Record<string, unknown> = {}) => callAs(t, host, key, action, fields);
  expect(await call('add_plan', { name: 'P', download: '10M', upload: '1M', price: '10' })).toMatchObject({ ok: true });
  expect(await call('add_router', { name: 'core', ip: '127.0.0.1', user: 'admin', pass: 'x', radius_secret: 'nas-secret', coa_port: String(nas.port) })).toMatchObject({ ok: true });
  for (const u of ['ann', 'ben', 'cat']) expect(await call('add', { username: u, password: 'pw-1', plan: 'P', router: 1 })).toMatchObject({ ok: true });
  // cat was suspended by the ISP itself, for another reason: the platform's cut and resume leave her alone.
  expect(await call('toggle_status', { username: 'cat', status: 'suspended', reason: 'unpaid' })).toMatchObject({ ok: true, data: { status: 'suspended' } });
  // suspend and resume close the registry's handle on the tenant's database: take it anew after each.
  let tdb = await t.rt.tenants.dbFor(p.data.tenant.id);
  await tdb('radacct').insert([
    { acctsessionid: 's-ann', acctuniqueid: 'u-ann', username: 'ann', nasipaddress: '127.0.0.1', acctstarttime: '2026-11-30 09:00:00' },
    { acctsessionid: 's-ben', acctuniqueid: 'u-ben', username: 'ben', nasipaddress: '127.0.0.1', acctstarttime: '2026-11-30 09:00:00' },
  ]);
  nas.sessions.push({ userName: 'ann', acctSessionId: 's-ann' }, { userName: 'ben', acctSessionId: 's-ben' });
  const before = nas.received.length;

  // Without cut_service the RADIUS rows stay (service is not cut unless asked); then the cut on the suspended tenant.
  expect(await t.call('tenant_suspend', { slug })).toMatchObject({ ok: true, data: { status: 'suspended', service_cut_at: null } });
  tdb = await t.rt.tenants.dbFor(p.data.tenant.id);
  expect((await rows(tdb, 'ann')).check).toEqual([['Cleartext-Password', ':=', 'pw-1']]);
  const s = await t.call('tenant_suspend', { slug, cut_service: '1' });
  expect(s).toMatchObject({ ok: true, data: { status: 'suspended', service_cut_at: expect.any(String), service_job: { id: expect.any(String), task: 'tenants.service_cut' } } });
  const cut = await finished(s.data.service_job.id);
  tdb = await t.rt.tenants.dbFor(p.data.tenant.id);
  expect(cut).toMatchObject({ state: 'completed', progress: { done: 2, total: 2 }, result: { mode: 'cut', changed: 2, sessions: { found: 2, disconnected: 2, not_disconnected: 0 }, failures: [] } });
  for (const u of ['ann', 'ben']) {
    expect(await rows(tdb, u)).toEqual({ check: [['Cleartext-Password', ':=', 'pw-1'], ['Auth-Type', ':=', 'Reject']], groups: ['plan-1'] });
    expect(await tdb('customers').where({ username: u }).first()).toMatchObject({ status: 'suspended', suspend_reason: expect.stringContaining('platform') });
  }
  const dms = nas.received.slice(before).filter((r) => r.code === 'Disconnect-Request');
  expect(dms.map((r) => [r.attributes['User-Name'], r.attributes['Acct-Session-Id']]).sort()).toEqual([['ann', 's-ann'], ['ben', 's-ben']]);
  expect(nas.sessions).toEqual([]);
  expect(await tdb('customers').where({ username: 'cat' }).first()).toMatchObject({ status: 'suspended', suspend_reason: 'unpaid' });
  expect((await tdb('tenant_service_cuts').orderBy('customer_id').pluck('customer_id')).map(Number)).toEqual([1, 2]);
  expect(await t.call('tenant_get', { slug })).toMatchObject({ ok: true, data: { service_cut_at: expect.any(String), service_job: { id: s.data.service_job.id, state: 'completed' } } });
  // Nothing ran on the platform's own subscribers, and the tenant's API stays closed.
  expect(await callAs(t, host, key, 'list_customers')).toMatchObject({ ok: false, error: 'tenant_suspended' });

  const r = await t.call('tenant_resume', { slug });
  expect(r).toMatchObject({ ok: true, data: { status: 'active', service_job: { id: expect.any(String) } } });
  const back = await finished(r.data.service_job.id);
  tdb = await t.rt.tenants.dbFor(p.data.tenant.id);
  expect(back).toMatchObject({ state: 'completed', result: { mode: 'restore', changed: 2, skipped: 0, failures: [] } });
  for (const u of ['ann', 'ben']) {
    expect((await rows(tdb, u)).check).toEqual([['Cleartext-Password', ':=', 'pw-1']]);
    expect(await tdb('customers').where({ username: u }).first()).toMatchObject({ status: 'active', suspend_reason: null });
  }
  expect((await rows(tdb, 'cat')).check).toContainEqual(['Auth-Type', ':=', 'Reject']);
  expect(await tdb('customers').where({ username: 'cat' }).first()).toMatchObject({ status: 'suspended', suspend_reason: 'unpaid' });
  expect(await tdb('tenant_service_cuts').count({ n: '*' })).toEqual([{ n: 0 }]);
  expect(await t.call('tenant_get', { slug })).toMatchObject({ ok: true, data: { service_cut_at: null } });
  expect(await call('list_customers')).toMatchObject({ ok: true });
  // The tenant's webhooks hear of both, in its own outbox.
  expect(await tdb('outbox_events').where({ event: 'customer.suspended' }).count({ n: '*' })).toEqual([{ n: 3 }]);
  expect(await tdb('outbox_events').where({ event: 'customer.unsuspended' }).count({ n: '*' })).toEqual([{ n: 2 }]);
}, 120_000);

test('a subscriber the ISP lifts or re-suspends for its own reason after the cut is not touched by resume', async () => {
  const slug = randomSlug();
  const host = `${slug}.test`;
  const p = await t.call('tenant_provision', { slug, name: slug, domains: [host], admin_username: 'boss', admin_email: 'boss@example.com' });
  const key = p.data.api_key;
  await callAs(t, host, key, 'add_plan', { name: 'P', download: '10M', upload: '1M', price: '10' });
  for (const u of ['dan', 'eve']) await callAs(t, host, key, 'add', { username: u, password: 'pw-2', plan: 'P' });
  const s = await t.call('tenant_suspend', { slug, cut_service: 'yes' });
  expect(await finished(s.data.service_job.id)).toMatchObject({ state: 'completed', result: { changed: 2, sessions: { found: 0 } } });
  // While suspended, the platform's own tooling (here: the database) marks eve as suspended for abuse.
  await (await t.rt.tenants.dbFor(p.data.tenant.id))('customers').where({ username: 'eve' }).update({ suspend_reason: 'abuse' });
  const r = await t.call('tenant_resume', { slug });
  expect(await finished(r.data.service_job.id)).toMatchObject({ state: 'completed', result: { changed: 1, skipped: 1 } });
  const tdb = await t.rt.tenants.dbFor(p.data.tenant.id);
  expect(await tdb('customers').where({ username: 'dan' }).first()).toMatchObject({ status: 'active' });
  expect(await tdb('customers').where({ username: 'eve' }).first()).toMatchObject({ status: 'suspended', suspend_reason: 'abuse' });
}, 120_000);

test('bad input: cut_service not a yes/no, unknown tenant, a running cut makes resume wait', async () => {
  expect(await t.call('tenant_suspend', { slug: 'nosuchtenant', cut_service: '1' })).toMatchObject({ ok: false, error: 'tenant_not_found' });
  expect(await t.call('tenant_suspend', { id: 1, cut_service: 'maybe' })).toMatchObject({ ok: false, error: 'invalid_cut_service' });
  const slug = randomSlug();
  const p = await t.call('tenant_provision', { slug, name: slug, domains: [`${slug}.test`], admin_username: 'boss', admin_email: 'boss@example.com' });
  const id = p.data.tenant.id;
  // A cut job that a worker holds (its row says running): resume refuses and changes nothing.
  await t.call('tenant_suspend', { id });
  await t.db('jobs').insert({ id: 'held-by-a-worker', task: 'tenants.service_cut', state: 'running', data: JSON.stringify({ tenant_id: id, mode: 'cut' }), max_attempts: 3, attempts: 1, lease_until: '2999-01-01 00:00:00', run_after: '2026-01-01 00:00:00', created_at: '2026-01-01 00:00:00', updated_at: '2026-01-01 00:00:00' });
  await t.db('tenants').where({ id }).update({ service_cut_at: '2026-01-01 00:00:00', service_job_id: 'held-by-a-worker' });
  expect(await t.call('tenant_resume', { id })).toMatchObject({ ok: false, error: 'tenant_busy', job_id: 'held-by-a-worker' });
  expect(await t.db('tenants').where({ id }).first()).toMatchObject({ status: 'suspended' });
  expect(await t.call('tenant_delete', { id })).toMatchObject({ ok: false, error: 'tenant_busy' });
  // Once it is no longer running (here: a queued one), resume cancels it and restores.
  await t.db('jobs').where({ id: 'held-by-a-worker' }).update({ state: 'queued', run_after: '2999-01-01 00:00:00' });
  const r = await t.call('tenant_resume', { id });
  expect(r).toMatchObject({ ok: true, data: { status: 'active', service_job: { id: expect.any(String) } } });
  expect(await t.db('jobs').where({ id: 'held-by-a-worker' }).first()).toMatchObject({ state: 'failed', error_code: 'cancelled' });
  expect(await finished(r.data.service_job.id)).toMatchObject({ state: 'completed', result: { mode: 'restore', changed: 0 } });
}, 120_000);

test('a cut queued when its process stopped is handed out by the next process on the same database (the sweep)', async () => {
  const slug = randomSlug();
  const host = `${slug}.test`;
  const p = await t.call('tenant_provision', { slug, name: slug, domains: [host], admin_username: 'boss', admin_email: 'boss@example.com' });
  const key = p.data.api_key;
  await callAs(t, host, key, 'add_plan', { name: 'P', download: '10M', upload: '1M', price: '10' });
  for (const u of ['fay', 'gus']) expect(await callAs(t, host, key, 'add', { username: u, password: 'pw-3', plan: 'P' })).toMatchObject({ ok: true });
  // This process's queue stops (as at a restart): the cut is recorded and queued, and nothing runs it here.
  await t.rt.jobs.stop();
  let rt2: Runtime | null = null;
  try {
    const s = await t.call('tenant_suspend', { slug, cut_service: '1' });
    expect(s).toMatchObject({ ok: true, data: { status: 'suspended', service_job: { id: expect.any(String) } } });
    const jobId = s.data.service_job.id;
    await new Promise((r) => setTimeout(r, 300));
    expect(await t.db('jobs').where({ id: jobId }).first()).toMatchObject({ state: 'queued' });
    // The next process: its sweep finds the queued platform job and runs the cut to the end.
    rt2 = createRuntime(t.config, { log: createLogger({ level: 'error', json: true, sink: () => undefined }) });
    expect(await rt2.jobs.sweep()).toBeGreaterThanOrEqual(1);
    expect(await rt2.jobs.wait(rt2.db, jobId, 60_000)).toMatchObject({ state: 'completed', result: { mode: 'cut', changed: 2, failures: [] } });
    const tdb = await rt2.tenants.dbFor(p.data.tenant.id);
    for (const u of ['fay', 'gus']) expect(await tdb('customers').where({ username: u }).first()).toMatchObject({ status: 'suspended', suspend_reason: expect.stringContaining('platform') });
    expect((await rows(tdb, 'fay')).check).toContainEqual(['Auth-Type', ':=', 'Reject']);
  } finally {
    // This file's runtime keeps its queue stopped: this is its last test.
    if (rt2) await closeRuntime(rt2);
  }
}, 120_000);
