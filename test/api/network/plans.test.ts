import { makeTestApp, type TestApp } from '../../helpers/app';
import { FakeNas } from '../../fakes/fake-nas';

let t: TestApp;
let nas: FakeNas;

beforeAll(async () => {
  nas = new FakeNas('nas-secret');
  await nas.listen();
  t = await makeTestApp({ env: { COA_TIMEOUT_MS: '2000', COA_RETRIES: '0' } });
});
afterAll(async () => {
  await t.close();
  await nas.close();
});

test('add_plan stores bits/s and cents and writes the RADIUS group with upload/download order', async () => {
  const body = await t.call('add_plan', {
    name: 'FTTH 100',
    download: '100M',
    upload: '10M',
    price: '25,50',
    burst_limit: '15M/120M',
    burst_threshold: '8M/80M',
    burst_time: '16s/16s',
    priority: '5',
  });
  expect(body).toMatchObject({
    ok: true,
    data: { id: expect.any(Number), name: 'FTTH 100', download: '100M', upload: '10M', price_cents: 2550, priority: 5 },
  });
  const row = await t.db('plans').where({ id: body.data.id }).first();
  expect(Number(row.download_bps)).toBe(100_000_000);
  expect(Number(row.upload_bps)).toBe(10_000_000);
  expect(row.price_cents).toBe(2550);
  const reply = await t.db('radgroupreply').where({ groupname: `plan-${body.data.id}` });
  expect(reply).toEqual([
    expect.objectContaining({ attribute: 'Mikrotik-Rate-Limit', op: ':=', value: '10M/100M 15M/120M 8M/80M 16/16 5' }),
  ]);
});

test.each([
  [{ name: 'X', download: 'fast', upload: '1M' }, 'invalid_download'],
  [{ name: 'X', download: '1M', upload: '' }, 'missing_upload'],
  [{ name: 'X', download: '10M', upload: '1M', priority: '9' }, 'invalid_priority'],
  [{ name: 'X', download: '10M', upload: '1M', burst_limit: '5M/5M' }, 'invalid_burst_limit'],
  [{ name: 'X', download: '10M', upload: '1M', price: '1.234' }, 'invalid_price'],
  [{ name: 'FTTH 100', download: '10M', upload: '1M' }, 'duplicate_plan_name'],
])('add_plan refuses %j with %s', async (fields, code) => {
  const body = await t.call('add_plan', fields);
  expect(body).toMatchObject({ ok: false, error: code });
  expect(await t.db('plans').where({ name: 'X' }).first()).toBeUndefined();
});

test('list_plans shows speeds, rate limit and subscriber count', async () => {
  const body = await t.call('list_plans', {}, { method: 'GET' });
  expect(body.ok).toBe(true);
  expect(body.data).toEqual([expect.objectContaining({ name: 'FTTH 100', subscribers: 0, rate_limit: '10M/100M 15M/120M 8M/80M 16/16 5' })]);
});

test('edit_plan re-applies the new speed to online subscribers by CoA and reports the counts', async () => {
  const plan = (await t.call('add_plan', { name: 'Home 50', download: '50M', upload: '5M', price: '20' })).data;
  await t.call('add_router', { ip: '127.0.0.1', name: 'core', user: 'admin', pass: 'secret', radius_secret: 'nas-secret', coa_port: String(nas.port) });
  for (const u of ['ann', 'ben', 'cat']) {
    expect((await t.call('add', { username: u, password: 'pw', plan: 'Home 50' })).ok).toBe(true);
  }
  // ann and ben are online (open accounting sessions); the NAS knows only ann's, so ben's CoA is NAKed.
  await t.db('radacct').insert([
    { acctsessionid: 's-ann', acctuniqueid: 'u-ann', username: 'ann', nasipaddress: '127.0.0.1', acctstarttime: '2026-11-22 10:00:00' },
    { acctsessionid: 's-ben', acctuniqueid: 'u-ben', username: 'ben', nasipaddress: '127.0.0.1', acctstarttime: '2026-11-22 10:00:00' },
  ]);
  nas.sessions.push({ userName: 'ann', acctSessionId: 's-ann' });

  const body = await t.call('edit_plan', { id: plan.id, download: '200M', upload: '20M', price: '30.00' });
  expect(body).toMatchObject({
    ok: true,
    data: { id: plan.id, download: '200M', price_cents: 3000, subscribers: 3, reapplied: { coa: { sessions: 2, acked: 1, naked: 1, timed_out: 0 } } },
  });
  expect(nas.sessions[0].rateLimit).toBe('20M/200M');
  const reply = await t.db('radgroupreply').where({ groupname: `plan-${plan.id}` }).first();
  expect(reply.value).toBe('20M/200M');
});

test('edit_plan: unknown id → plan_not_found; bad speed → invalid_download and nothing changes', async () => {
  expect(await t.call('edit_plan', { id: 9999, name: 'Nope' })).toMatchObject({ ok: false, error: 'plan_not_found' });
  const plan = await t.db('plans').where({ name: 'Home 50' }).first();
  expect(await t.call('edit_plan', { id: plan.id, download: '1Q' })).toMatchObject({ ok: false, error: 'invalid_download' });
  expect(Number((await t.db('plans').where({ id: plan.id }).first()).download_bps)).toBe(200_000_000);
});

test('delete_plan is refused while subscribers use it, then works and removes the group', async () => {
  const plan = await t.db('plans').where({ name: 'Home 50' }).first();
  expect(await t.call('delete_plan', { id: plan.id })).toMatchObject({ ok: false, error: 'plan_in_use', subscribers: 3 });
  const empty = (await t.call('add_plan', { name: 'Empty', download: '1M', upload: '1M' })).data;
  expect(await t.call('delete_plan', { id: empty.id })).toMatchObject({ ok: true, data: { id: empty.id, deleted: true } });
  expect(await t.db('plans').where({ id: empty.id }).first()).toBeUndefined();
  expect(await t.db('radgroupreply').where({ groupname: `plan-${empty.id}` })).toHaveLength(0);
  expect(await t.call('delete_plan', { id: 'abc' })).toMatchObject({ ok: false, error: 'invalid_id' });
});
