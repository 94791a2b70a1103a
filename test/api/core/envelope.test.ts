import request from 'supertest';
import { makeTestApp, type TestApp } from '../../helpers/app';

let t: TestApp;
let strict: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
  strict = await makeTestApp({ env: { HTTP_ERRORS: 'strict' } });
});
afterAll(async () => {
  await t.close();
  await strict.close();
});

describe('encodings', () => {
  test('form-encoded with PHP bracket syntax (nested permissions, events[])', async () => {
    const body = await t.call('add_web_admin', { username: 'ops1', password: 'a-long-password', role: 'operator', permissions: { customers: 'read', billing: 'none' } });
    expect(body.ok).toBe(true);
    expect(body.data).toMatchObject({ id: expect.any(Number), username: 'ops1' });
    expect(body.data.permissions.customers).toBe('read');
    expect(body.data.permissions.billing).toBe('none');
    const row = await t.db('admins').where({ username: 'ops1' }).first();
    expect(JSON.parse(row.permissions)).toEqual({ customers: 'read', billing: 'none' });
  });

  test('raw PHP http_build_query bytes, as a curl script sends them', async () => {
    const raw = 'action=webhook_create&url=http%3A%2F%2F127.0.0.1%3A9%2Fhook&events%5B%5D=invoice.paid&events%5B%5D=customer.created';
    const r = await request(t.app).post('/mikrotik/process.php').set('Authorization', `Bearer ${t.key}`).set('Content-Type', 'application/x-www-form-urlencoded').send(raw);
    expect(r.body.ok).toBe(true);
    expect(r.body.data.events).toEqual(['invoice.paid', 'customer.created']);
    expect(r.body.data.secret).toMatch(/^whsec_/);
  });

  test('JSON bodies', async () => {
    const r = await t.post('webhook_create', { url: 'https://example.invalid/h', events: ['ticket.created'] }, { json: true });
    expect(r.body).toMatchObject({ ok: true, data: { events: ['ticket.created'] } });
  });

  test('multipart with a logo file and fields', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
    const r = await request(t.app)
      .post('/mikrotik/process.php')
      .set('Authorization', `Bearer ${t.key}`)
      .field('action', 'save_settings')
      .field('company_name', 'Acme Net')
      .field('timezone', 'Europe/Athens')
      .attach('logo', png, { filename: 'logo.png', contentType: 'image/png' });
    expect(r.body.ok).toBe(true);
    expect(r.body.data.company_name).toBe('Acme Net');
    expect(r.body.data.logo_url).toMatch(/^\/uploads\/default\/logo-[0-9a-f]{16}\.png$/);
    const file = await request(t.app).get(r.body.data.logo_url);
    expect(file.status).toBe(200);
    expect(Buffer.compare(file.body, png)).toBe(0);
  });

  test('multipart: a file that is not an image is refused and nothing is saved', async () => {
    const r = await request(t.app)
      .post('/mikrotik/process.php')
      .set('Authorization', `Bearer ${t.key}`)
      .field('action', 'save_settings')
      .field('company_name', 'Should Not Stick')
      .attach('favicon', Buffer.from('<svg onload="alert(1)"/>'), { filename: 'x.png', contentType: 'image/png' });
    expect(r.body).toMatchObject({ ok: false, error: 'invalid_favicon' });
    const s = await t.call('get_settings');
    expect(s.data.company_name).toBe('Acme Net');
  });

  test('multipart: a file over the size limit answers payload_too_large', async () => {
    const big = Buffer.alloc(t.config.UPLOAD_MAX_BYTES + 10, 1);
    const r = await request(t.app).post('/mikrotik/process.php').set('Authorization', `Bearer ${t.key}`).field('action', 'save_settings').attach('logo', big, 'big.png');
    expect(r.body).toMatchObject({ ok: false, error: 'payload_too_large' });
  });

  test('GET for read actions, POST-only actions refuse GET', async () => {
    const r = await t.post('get_settings', {}, { method: 'GET' });
    expect(r.body.ok).toBe(true);
    const w = await t.post('webhook_delete', { id: 1 }, { method: 'GET' });
    expect(w.body).toMatchObject({ ok: false, error: 'method_not_allowed' });
  });

  test('the aliases /process.php and /process answer too', async () => {
    for (const p of ['/process.php', '/process']) {
      const r = await request(t.app).post(p).set('Authorization', `Bearer ${t.key}`).type('form').send('action=me');
      expect(r.body.ok).toBe(true);
    }
  });
});

describe('errors', () => {
  test('malformed JSON answers invalid_json, in the envelope, without a stack', async () => {
    const r = await request(t.app).post('/mikrotik/process.php').set('Authorization', `Bearer ${t.key}`).set('Content-Type', 'application/json').send('{"action": "me",');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ ok: false, error: 'invalid_json' });
    expect(JSON.stringify(r.body)).not.toMatch(/at \w+ \(|node_modules/);
    const s = await request(strict.app).post('/mikrotik/process.php').set('Authorization', `Bearer ${strict.key}`).set('Content-Type', 'application/json').send('[1,');
    expect(s.status).toBe(400);
  });

  test('unknown and missing actions', async () => {
    expect(await t.call('no_such_thing')).toMatchObject({ ok: false, error: 'unknown_action', message: expect.stringContaining('describe') });
    const r = await request(t.app).post('/mikrotik/process.php').set('Authorization', `Bearer ${t.key}`).type('form').send('foo=bar');
    expect(r.body).toMatchObject({ ok: false, error: 'missing_action' });
  });

  test('legacy mode: application errors are HTTP 200; strict mode: their own status', async () => {
    const l = await t.post('delete_web_admin', {});
    expect(l.status).toBe(200);
    expect(l.body).toMatchObject({ ok: false, error: 'missing_id', details: { id: 'required' } });
    const s = await strict.post('delete_web_admin', {});
    expect(s.status).toBe(422);
    expect(s.body.error).toBe('missing_id');
    const nf = await strict.post('delete_web_admin', { id: 999 });
    expect(nf.status).toBe(404);
    expect(nf.body.error).toBe('not_found');
    const lnf = await t.post('delete_web_admin', { id: 999 });
    expect(lnf.status).toBe(200);
    expect(lnf.body.error).toBe('not_found');
    const unk = await strict.post('nope');
    expect(unk.status).toBe(404);
  });

  test('invalid values name the field', async () => {
    const b = await t.call('add_web_admin', { username: 'x!', password: 'short' });
    expect(b.ok).toBe(false);
    expect(b.error).toBe('invalid_username');
    expect(Object.keys(b.details)).toEqual(expect.arrayContaining(['username', 'password']));
  });

  test('no credentials → 401 in both modes; a bad scheme too', async () => {
    for (const app of [t, strict]) {
      const r = await app.post('me', {}, { key: null });
      expect(r.status).toBe(401);
      expect(r.body).toMatchObject({ ok: false, error: 'unauthorized' });
    }
    const r = await request(t.app).post('/mikrotik/process.php').set('Authorization', 'Basic abc').type('form').send('action=me');
    expect(r.status).toBe(401);
  });

  test('a missing upload answers 404 (a path outside uploads 403/404) in the envelope, not internal_error', async () => {
    const nope = await request(t.app).get('/uploads/default/nope.png');
    expect([nope.status, nope.body.error]).toEqual([404, 'not_found']);
    for (const p of ['/uploads/../app.key', '/uploads/%2e%2e/app.key']) {
      const r = await request(t.app).get(p);
      expect([p, r.status, r.body.ok]).toEqual([p, r.status === 403 ? 403 : 404, false]);
      expect(r.text).not.toContain('base64:');
    }
    expect(t.logs.join('\n')).not.toMatch(/unhandled error/);
  });

  test('unknown endpoints answer the envelope', async () => {
    const r = await request(t.app).get('/nope');
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ ok: false, error: 'not_found' });
  });
});

describe('system endpoints', () => {
  test('healthz and metrics', async () => {
    expect((await request(t.app).get('/healthz')).body).toEqual({ ok: true });
    await t.call('me');
    const m = await request(t.app).get('/metrics');
    expect(m.text).toMatch(/ispgate_requests_total\{action="me",outcome="ok"\} \d+/);
    expect(m.text).toMatch(/ispgate_webhook_backlog \d+/);
    expect(m.text).toMatch(/ispgate_request_duration_seconds_bucket/);
  });

  test('describe lists every action with schema, section and permission', async () => {
    const b = await t.call('describe');
    const names = b.data.map((a: { action: string }) => a.action);
    expect(names).toEqual(expect.arrayContaining(['login', 'start_2fa_enroll', 'add_web_admin', 'webhook_create', 'api_key_create', 'save_settings']));
    const add = b.data.find((a: { action: string }) => a.action === 'add_web_admin');
    expect(add).toMatchObject({ section: 'admins', permission: 'admins.write', rate_class: 'standard' });
    expect(add.input.properties.username).toBeDefined();
    expect(add.input.required).toEqual(expect.arrayContaining(['username', 'password']));
  });

  test('an X-Request-Id given by the caller is kept', async () => {
    const r = await t.post('me', {}, { headers: { 'X-Request-Id': 'abc-123' } });
    expect(r.headers['x-request-id']).toBe('abc-123');
  });
});

describe('metrics behind a token', () => {
  let m: TestApp;
  beforeAll(async () => {
    m = await makeTestApp({ env: { METRICS_TOKEN: 'scrape-token-0123456789' } });
  });
  afterAll(async () => m.close());

  test('METRICS_TOKEN set: /metrics needs it as a Bearer token', async () => {
    expect((await request(m.app).get('/metrics')).status).toBe(401);
    expect((await request(m.app).get('/metrics').set('Authorization', 'Bearer wrong-token-0123456789')).status).toBe(401);
    const ok = await request(m.app).get('/metrics').set('Authorization', 'Bearer scrape-token-0123456789');
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('ispgate_requests_total');
  });
});
