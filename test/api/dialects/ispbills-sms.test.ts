/**
 * SMS through the HTTP SMS gateway (a strict fake on loopback): the process.php actions and ISPBills' sms/send,
 * sms/broadcast, sms/history and sms/balance over them.
 */
import request from 'supertest';
import { makeTestApp, type TestApp } from '../../helpers/app';
import { startSmsGateway } from '../../fakes/sms-gateway';

let t: TestApp;
let gw: Awaited<ReturnType<typeof startSmsGateway>>;
let v2: string;

const get = (path: string) => request(t.app).get(path).set('Authorization', `Bearer ${v2}`);
const post = (path: string, body: unknown) => request(t.app).post(path).set('Authorization', `Bearer ${v2}`).set('Content-Type', 'application/json').send(JSON.stringify(body));

beforeAll(async () => {
  t = await makeTestApp();
  gw = await startSmsGateway({ apiKey: 'gw-secret-key', sender: 'ISPGATE', credits: 4821 });
  const c = await t.call('api_client_create', { name: 'sms app', dialect: 'ispbills' });
  v2 = (await request(t.app).post('/api/v2/auth/token').send({ client_id: c.data.client_id, client_secret: c.data.client_secret })).body.access_token;
});
afterAll(async () => {
  await t.close();
  await gw.close();
});

test('not configured: a clear error, nothing written', async () => {
  expect(await t.call('sms_send', { phone: '01712345678', message: 'hi' })).toMatchObject({ ok: false, error: 'sms_not_configured' });
  const r = await post('/api/v2/sms/send', { phone: '01712345678', message: 'hi' });
  expect(r.status).toBe(409);
  expect(await t.db('sms_messages')).toHaveLength(0);
});

test('settings: the key is sealed and never answered; bad URL and sender refused', async () => {
  expect(await t.call('save_sms_settings', { base_url: 'ftp://x', api_key: 'k', sender: 'ISPGATE' })).toMatchObject({ ok: false, error: 'invalid_base_url' });
  expect(await t.call('save_sms_settings', { base_url: gw.url, sender: 'WAY TOO LONG SENDER' })).toMatchObject({ ok: false });
  const s = await t.call('save_sms_settings', { base_url: gw.url, api_key: 'gw-secret-key', sender: 'ISPGATE' });
  expect(s).toMatchObject({ ok: true, data: { base_url: gw.url, sender: 'ISPGATE', api_key_set: true, configured: true } });
  expect(JSON.stringify(s)).not.toContain('gw-secret-key');
  expect(JSON.stringify(await t.db('settings').where('key', 'like', 'sms.%'))).not.toContain('gw-secret-key');
});

test('POST /api/v2/sms/send (example) → the gateway got it; the reply carries credits; history and process.php agree', async () => {
  const r = await post('/api/v2/sms/send', { phone: '01712345678', message: 'Dear customer, your payment of 1,500 BDT has been received. Thank you!' });
  expect(r.status).toBe(200);
  expect(r.body).toEqual({ data: { message_id: expect.stringMatching(/^sms_\d+$/), status: 'queued', phone: '01712345678', credits_used: 1, credits_remaining: 4820 } });
  expect(gw.received.at(-1)).toEqual({ to: '01712345678', from: 'ISPGATE', text: 'Dear customer, your payment of 1,500 BDT has been received. Thank you!', reference: expect.any(String) });
  const h = await t.call('sms_history');
  expect(h.data[0]).toMatchObject({ message_id: r.body.data.message_id, phone: '01712345678', status: 'queued', provider_id: 'gw-1', credits_used: 1 });
  const bal = await get('/api/v2/sms/balance');
  expect(bal.body).toEqual({ data: { balance: 4820, unit: 'credits' } });
});

test('a gateway that is down leaves the message queued and its job sends it later', async () => {
  gw.down(1);
  const r = await t.call('sms_send', { phone: '+8801711111111', message: 'retry me' });
  expect(r).toMatchObject({ ok: true, data: { status: 'pending', attempts: 1, error: expect.any(String), job_id: expect.any(String) } });
  const done = await t.ctx().jobs.wait(r.data.job_id, 20_000);
  expect(done.state).toBe('completed');
  const row = await t.db('sms_messages').where({ id: r.data.id }).first();
  expect(row).toMatchObject({ status: 'queued', provider_id: expect.stringMatching(/^gw-/), attempts: 2, last_error: null });
  expect(gw.received.filter((m) => m.text === 'retry me')).toHaveLength(1);
});

test('broadcast is a job with progress; bad numbers are refused before anything is queued', async () => {
  const bad = await post('/api/v2/sms/broadcast', { phones: ['01712345678', 'not-a-phone'], message: 'x' });
  expect(bad.status).toBe(422);
  expect(bad.body.error.code).toBe('VALIDATION_ERROR');
  const r = await post('/api/v2/sms/broadcast', { phones: ['01712345678', '01898765432', '01611223344'], message: 'Scheduled maintenance tonight from 02:00–04:00 AM. Service may be briefly interrupted.' });
  expect(r.status).toBe(202);
  expect(r.body.data).toMatchObject({ batch_id: expect.any(String), job_id: expect.any(String), recipients: 3 });
  const job = await t.ctx().jobs.wait(r.body.data.job_id, 20_000);
  expect(job).toMatchObject({ state: 'completed', progress: { done: 3, total: 3 }, result: { accepted: 3, failed: 0, pending: 0 } });
  expect(await t.db('sms_messages').where({ batch: r.body.data.batch_id }).whereNotNull('provider_id')).toHaveLength(3);
  expect(gw.received.filter((m) => m.text.startsWith('Scheduled maintenance'))).toHaveLength(3);
});

test('v1 history pages; bad input on process.php', async () => {
  const c = await t.call('api_client_create', { name: 'v1 check', dialect: 'ispbills' });
  expect(c.ok).toBe(true);
  expect(await t.call('sms_send', { phone: '12', message: 'x' })).toMatchObject({ ok: false, error: 'invalid_phone' });
  expect(await t.call('sms_send', { phone: '01712345678' })).toMatchObject({ ok: false, error: 'missing_message' });
  const h = await t.call('sms_history', { per_page: 2 });
  expect(h.meta).toMatchObject({ per_page: 2, total: 5 });
});

test('a provider that reports no balance: 501 sms_balance_not_available', async () => {
  const quiet = await startSmsGateway({ apiKey: 'k2', sender: 'NET', balance: false });
  try {
    await t.call('save_sms_settings', { base_url: quiet.url, api_key: 'k2', sender: 'NET' });
    expect(await t.call('sms_balance')).toMatchObject({ ok: false, error: 'sms_balance_not_available' });
    const r = await get('/api/v2/sms/balance');
    expect(r.status).toBe(501);
    expect(r.body.error.code).toBe('not_available');
  } finally {
    await quiet.close();
  }
});
