import { makeTestApp, type TestApp } from '../../helpers/app';
import { FakeNas } from '../../fakes/fake-nas';

let t: TestApp;
let nas: FakeNas;

beforeAll(async () => {
  nas = new FakeNas('nas-secret');
  await nas.listen();
  t = await makeTestApp({ env: { COA_TIMEOUT_MS: '2000', COA_RETRIES: '0' } });
  await t.call('add_plan', { name: 'P50', download: '50M', upload: '5M' });
  await t.call('add_router', { ip: '127.0.0.1', name: 'core', user: 'a', pass: 'b', radius_secret: 'nas-secret', coa_port: String(nas.port) });
  for (const u of ['ann', 'ben']) await t.call('add', { username: u, password: 'pw', plan: 'P50' });
  const rows = [
    {
      acctsessionid: '81a00001', acctuniqueid: 'u1', username: 'ann', nasipaddress: '127.0.0.1', framedipaddress: '10.0.0.2',
      callingstationid: 'AA:BB:CC:00:00:01', acctstarttime: '2026-11-22 08:00:00', acctupdatetime: '2026-11-22 08:05:00',
      acctsessiontime: 300, acctinputoctets: 1000, acctoutputoctets: 50000,
    },
    { acctsessionid: '81a00002', acctuniqueid: 'u2', username: 'ben', nasipaddress: '127.0.0.1', acctstarttime: '2026-11-22 08:01:00' },
    // closed: not an active session
    { acctsessionid: '81a00000', acctuniqueid: 'u0', username: 'ann', nasipaddress: '127.0.0.1', acctstarttime: '2026-11-21 08:00:00', acctstoptime: '2026-11-21 09:00:00' },
  ];
  // One by one: a multi-row insert would fill absent columns with NULL, which the NOT NULL '' defaults refuse.
  for (const r of rows) await t.db('radacct').insert(r);
});
afterAll(async () => {
  await t.close();
  await nas.close();
});

beforeEach(() => {
  nas.behaviour = 'sessions';
  nas.sessions.splice(0, nas.sessions.length, { userName: 'ann', acctSessionId: '81a00001', framedIp: '10.0.0.2' }, { userName: 'ben', acctSessionId: '81a00002' });
});

test('radius_sessions lists open sessions with traffic counters, router and pagination', async () => {
  const body = await t.call('radius_sessions', {}, { method: 'GET' });
  expect(body).toMatchObject({ ok: true, meta: { total: 2, current_page: 1, last_page: 1 } });
  const ann = body.data.find((s: { username: string }) => s.username === 'ann');
  expect(ann).toEqual({
    id: expect.any(Number),
    acct_session_id: '81a00001',
    username: 'ann',
    nas_ip: '127.0.0.1',
    router_id: expect.any(Number),
    router_name: 'core',
    framed_ip: '10.0.0.2',
    calling_station_id: 'AA:BB:CC:00:00:01',
    started_at: '2026-11-22T08:00:00Z',
    updated_at: '2026-11-22T08:05:00Z',
    session_time_seconds: 300,
    upload_bytes: 1000,
    download_bytes: 50000,
  });
  const filtered = await t.call('radius_sessions', { username: 'ben', per_page: '1' });
  expect(filtered.data.map((s: { acct_session_id: string }) => s.acct_session_id)).toEqual(['81a00002']);
  expect((await t.call('radius_sessions', { router: 'core' })).meta.total).toBe(2);
  expect(await t.call('radius_sessions', { per_page: '0' })).toMatchObject({ ok: false, error: 'invalid_per_page' });
  expect(await t.call('radius_sessions', { router: 'nope' })).toMatchObject({ ok: false, error: 'router_not_found' });
});

test('radius_disconnect: ACK', async () => {
  const body = await t.call('radius_disconnect', { username: 'ann' });
  expect(body).toMatchObject({ ok: true, data: { acked: 1, sessions: [{ acct_session_id: '81a00001', result: 'ack', code: 'Disconnect-ACK' }] } });
  expect(nas.received.at(-1)).toMatchObject({ code: 'Disconnect-Request', attributes: { 'User-Name': 'ann', 'Acct-Session-Id': '81a00001', 'Framed-IP-Address': '10.0.0.2' } });
});

test('radius_disconnect: NAK with its Error-Cause is its own error', async () => {
  nas.sessions.splice(0);
  const body = await t.call('radius_disconnect', { username: 'ann' });
  expect(body).toMatchObject({ ok: false, error: 'disconnect_nak', sessions: [{ result: 'nak', error_cause: 'Session-Context-Not-Found' }] });
  expect(body.message).toContain('Session-Context-Not-Found');
});

test('radius_disconnect: no answer is nas_timeout, not a NAK', async () => {
  nas.behaviour = 'silent';
  const body = await t.call('radius_disconnect', { username: 'ann' });
  expect(body).toMatchObject({ ok: false, error: 'nas_timeout', sessions: [{ result: 'timeout' }] });
});

test('radius_disconnect bad input: nobody named, unknown subscriber, no open session', async () => {
  expect(await t.call('radius_disconnect', {})).toMatchObject({ ok: false, error: 'missing_username' });
  expect(await t.call('radius_disconnect', { username: 'ghost' })).toMatchObject({ ok: false, error: 'customer_not_found' });
  expect(await t.call('radius_disconnect', { username: 'ann', acct_session_id: 'nope' })).toMatchObject({ ok: false, error: 'session_not_found' });
});

test("radius_coa sends the plan's rate limit by default, or the one given, and keeps the session", async () => {
  const byPlan = await t.call('radius_coa', { username: 'ben' });
  expect(byPlan).toMatchObject({ ok: true, data: { rate_limit: '5M/50M', acked: 1, sessions: [{ result: 'ack', code: 'CoA-ACK' }] } });
  expect(nas.received.at(-1)?.attributes['Vendor-Specific']).toEqual({ 'Mikrotik-Rate-Limit': '5M/50M' });
  const given = await t.call('radius_coa', { username: 'ben', rate_limit: '1M/2M 2M/4M 1M/2M 10/10 4' });
  expect(given).toMatchObject({ ok: true, data: { rate_limit: '1M/2M 2M/4M 1M/2M 10/10 4' } });
  expect(nas.sessions.find((s) => s.userName === 'ben')?.rateLimit).toBe('1M/2M 2M/4M 1M/2M 10/10 4');
});

test('radius_coa: NAK, timeout and a malformed rate limit are distinct errors', async () => {
  nas.errorCause = 'Unsupported-Attribute';
  nas.sessions.splice(0);
  expect(await t.call('radius_coa', { username: 'ben' })).toMatchObject({ ok: false, error: 'coa_nak', sessions: [{ error_cause: 'Unsupported-Attribute' }] });
  nas.behaviour = 'silent';
  expect(await t.call('radius_coa', { username: 'ben' })).toMatchObject({ ok: false, error: 'nas_timeout' });
  expect(await t.call('radius_coa', { username: 'ben', rate_limit: '10M/20M; rm -rf' })).toMatchObject({ ok: false, error: 'invalid_rate_limit' });
  nas.errorCause = 'Session-Context-Not-Found';
});
