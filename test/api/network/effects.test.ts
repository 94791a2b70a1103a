/**
 * Outside calls never run inside a database transaction: a router that hangs on `add` does not hold up other
 * requests, and what could not be undone on a router is recorded and converged by a job.
 */
import net from 'node:net';
import { makeTestApp, type TestApp } from '../../helpers/app';
import { FakeRouterOS } from '../../fakes/routeros-server';

let t: TestApp;
let hang: net.Server;
const accepted: net.Socket[] = [];
let fake: FakeRouterOS;

beforeAll(async () => {
  // Accepts the TCP connection and never answers a word: a router whose API service is wedged.
  hang = net.createServer((s) => {
    accepted.push(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => hang.listen(0, '127.0.0.1', () => r()));
  fake = new FakeRouterOS();
  await fake.listen();
  t = await makeTestApp({ env: { ROUTER_TIMEOUT_MS: '4000' } });
  expect((await t.call('add_plan', { name: 'P', download: '20M', upload: '2M' })).ok).toBe(true);
  const port = (hang.address() as net.AddressInfo).port;
  expect((await t.call('add_router', { ip: '127.0.0.1', name: 'hung', user: 'admin', pass: 'secret', port: String(port), radius_secret: 's', mode: 'api' })).ok).toBe(true);
  expect((await t.call('add_router', { ip: '127.0.0.1', name: 'ok', user: 'admin', pass: 'secret', port: String(fake.port), radius_ip: '127.0.0.2', radius_secret: 's', mode: 'api' })).ok).toBe(true);
});
afterAll(async () => {
  await t.close();
  for (const s of accepted) s.destroy();
  await new Promise((r) => hang.close(r));
  await fake.close();
});

test('list_plans answers while a router hangs on add; the add then fails cleanly with nothing left behind', async () => {
  let addDone = false;
  const add = t.call('add', { username: 'stuck', password: 'pw', plan: 'P', router: 'hung' }).then((b) => {
    addDone = true;
    return b;
  });
  // Wait until the add is talking to the router (its rows are committed, the router step is waiting).
  for (let i = 0; i < 400 && accepted.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  expect(accepted.length).toBeGreaterThan(0);
  const plans = await t.call('list_plans', {}, { method: 'GET' });
  expect(plans).toMatchObject({ ok: true, data: [expect.objectContaining({ name: 'P' })] });
  // list_plans answered while the add was still waiting on the router: nothing held a lock or the connection.
  expect(addDone).toBe(false);
  const body = await add;
  expect(body).toMatchObject({ ok: false, error: 'router_unreachable' });
  expect(await t.db('customers').where({ username: 'stuck' }).first()).toBeUndefined();
  for (const table of ['radcheck', 'radreply', 'radusergroup']) expect(await t.db(table).where({ username: 'stuck' })).toHaveLength(0);
  expect(await t.db('outbox_events').where({ event: 'customer.created' })).toHaveLength(0);
});

test('an undo that fails on the router becomes a pending effect, and its job removes the leftover', async () => {
  // The queue add fails (the router refuses), and the undo of the PPP secret made before it fails too.
  fake.faults.push({ match: (w) => w[0] === '/queue/simple/add', kind: 'trap', message: 'failure: target overlaps', once: true });
  fake.faults.push({ match: (w) => w[0] === '/ppp/secret/remove', kind: 'trap', message: 'failure: busy', once: true });
  const body = await t.call('add', { username: 'left', password: 'pw', plan: 'P', router: 'ok', static_ip: '10.40.0.2' });
  expect(body).toMatchObject({ ok: false, error: 'router_error' });
  expect(await t.db('customers').where({ username: 'left' }).first()).toBeUndefined();
  const okId = (await t.db('routers').where({ name: 'ok' }).first()).id;
  const effect = await t.db('pending_effects').where({ target: `router:${okId}:user:left` }).first();
  expect(effect).toMatchObject({ task: 'network.converge_router_customer' });
  expect(effect.job_id).toEqual(expect.any(String));
  const job = await t.ctx().jobs.wait(effect.job_id, 20_000);
  expect(job).toMatchObject({ state: 'completed', result: { state: 'done', result: { action: 'removed' } } });
  expect(await t.db('pending_effects').where({ id: effect.id }).first()).toMatchObject({ state: 'done', attempts: 1 });
  expect(fake.rows('/ppp/secret').map((r) => r.name)).not.toContain('left');
});

test('a pending effect that keeps failing is retried, then reported as failed with its last error', async () => {
  const port = fake.port;
  await fake.close();
  const r = await t.db('routers').where({ name: 'ok' }).first();
  const { recordRouterLeftover } = await import('../../../src/services/network/tasks');
  const { EFFECT_MAX_ATTEMPTS } = await import('../../../src/services/effects');
  const ctx = t.ctx();
  // Recorded without queueing its job, so only the runs below count as attempts.
  await recordRouterLeftover({ ...ctx, jobs: undefined }, { router_id: r.id, username: 'ghost', mac_address: null });
  const effect = await t.db('pending_effects').where({ target: `router:${r.id}:user:ghost` }).first();
  // Drive the attempts without waiting out the backoff: each run of the task is one attempt.
  const task = t.rt.jobs.task('network.converge_router_customer')!;
  for (let i = Number((await t.db('pending_effects').where({ id: effect.id }).first()).attempts); i < EFFECT_MAX_ATTEMPTS; i++) {
    await task.run(ctx, { effect_id: effect.id }, async () => undefined).catch(() => undefined);
  }
  const row = await t.db('pending_effects').where({ id: effect.id }).first();
  expect(row).toMatchObject({ state: 'failed', attempts: EFFECT_MAX_ATTEMPTS, last_error_code: 'router_unreachable' });
  expect(t.logs.some((l) => l.includes('could not be converged'))).toBe(true);
  fake = new FakeRouterOS();
  await fake.listen(port);
});

test('50 concurrent adds with distinct usernames all succeed (no deadlock answered as busy)', async () => {
  const bodies = await Promise.all(Array.from({ length: 50 }, (_, i) => t.call('add', { username: `c${i}`, password: 'pw', plan: 'P' })));
  const failed = bodies.filter((b) => !b.ok);
  expect(failed).toEqual([]);
  expect(Number((await t.db('customers').where('username', 'like', 'c%').count({ n: '*' }))[0].n)).toBe(50);
  expect(Number((await t.db('radcheck').where('username', 'like', 'c%').where({ attribute: 'Cleartext-Password' }).count({ n: '*' }))[0].n)).toBe(50);
  expect(Number((await t.db('radusergroup').where('username', 'like', 'c%').count({ n: '*' }))[0].n)).toBe(50);
});

test('toggle_status and edit whose router step fails leave the subscriber, its RADIUS rows and the outbox as they were', async () => {
  const add = await t.call('add', { username: 'tina', password: 'pw', plan: 'P', router: 'ok', static_ip: '10.40.0.9' });
  expect(add).toMatchObject({ ok: true });
  const before = await t.db('customers').where({ username: 'tina' }).first();
  const suspendedEvents = async () => (await t.db('outbox_events').where({ event: 'customer.suspended' })).length;
  const eventsBefore = await suspendedEvents();

  fake.faults.push({ match: (w) => w[0] === '/ppp/secret/set', kind: 'trap', message: 'failure: busy', once: true });
  const toggled = await t.call('toggle_status', { username: 'tina', status: 'suspended' });
  expect(toggled).toMatchObject({ ok: false, error: 'router_error' });
  expect(await t.db('customers').where({ username: 'tina' }).first()).toMatchObject({ status: 'active', suspend_reason: null });
  expect(await t.db('radcheck').where({ username: 'tina', attribute: 'Auth-Type' })).toHaveLength(0);
  expect(await suspendedEvents()).toBe(eventsBefore);
  expect(fake.rows('/ppp/secret').find((r) => r.name === 'tina')).toMatchObject({ disabled: 'false' });

  fake.faults.push({ match: (w) => w[0] === '/queue/simple/set', kind: 'trap', message: 'failure: target overlaps', once: true });
  const edited = await t.call('edit', { id: before.id, username: 'tina2', static_ip: '10.40.0.10' });
  expect(edited).toMatchObject({ ok: false, error: 'router_error' });
  expect(await t.db('customers').where({ id: before.id }).first()).toMatchObject({ username: 'tina', static_ip: '10.40.0.9' });
  expect(await t.db('radcheck').where({ username: 'tina2' })).toHaveLength(0);
  expect(await t.db('radreply').where({ username: 'tina', attribute: 'Framed-IP-Address' }).first()).toMatchObject({ value: '10.40.0.9' });
  // The secret renamed before the queue failed was renamed back.
  expect(fake.rows('/ppp/secret').map((r) => r.name)).toContain('tina');
  expect(fake.rows('/ppp/secret').map((r) => r.name)).not.toContain('tina2');
});
