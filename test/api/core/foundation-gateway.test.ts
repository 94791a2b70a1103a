import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { loadConfig } from '../../../src/config';
import { makeTestApp, ADMIN_PASSWORD, type TestApp } from '../../helpers/app';

let t: TestApp;
let server: http.Server;
let port: number;
beforeAll(async () => {
  t = await makeTestApp({ env: { MULTIPART_MAX_BYTES: String(512 * 1024) } });
  server = http.createServer(t.app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await t.close();
});

/**
 * Sends the headers and only the first bytes of a body that claims to be much larger, and resolves with the
 * answer: it can only come if the server answered before reading the body.
 */
function answerBeforeBody(headers: Record<string, string>, firstBytes: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/mikrotik/process.php', headers }, (res) => {
      let data = '';
      res.on('data', (c) => (data += c));
      res.on('end', () => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, body: JSON.parse(data) });
      });
    });
    req.on('error', (e) => ((e as NodeJS.ErrnoException).code === 'ECONNRESET' || (e as NodeJS.ErrnoException).code === 'EPIPE' ? undefined : reject(e)));
    req.write(firstBytes);
  });
}

describe('request bodies', () => {
  test('a multipart body without credentials is refused before it is read', async () => {
    const boundary = 'XyZ';
    const r = await answerBeforeBody(
      { 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': String(450 * 1024 * 1024) },
      `--${boundary}\r\nContent-Disposition: form-data; name="f1"\r\n\r\n${'x'.repeat(1024)}`,
    );
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({ ok: false, error: 'unauthorized' });
  });

  test('a multipart body larger than the cap is refused from its Content-Length, before it is read', async () => {
    const r = await answerBeforeBody(
      { Authorization: `Bearer ${t.key}`, 'Content-Type': 'multipart/form-data; boundary=b', 'Content-Length': String(600 * 1024) },
      '--b\r\nContent-Disposition: form-data; name="action"\r\n\r\nme\r\n',
    );
    expect(r.body).toMatchObject({ ok: false, error: 'payload_too_large' });
  });

  test('a multipart text field over 64 kB is refused; a small one is read', async () => {
    const big = await request(t.app).post('/mikrotik/process.php').set('Authorization', `Bearer ${t.key}`).field('action', 'save_settings').field('company_name', 'x'.repeat(70 * 1024));
    expect(big.body).toMatchObject({ ok: false, error: 'payload_too_large', message: expect.stringContaining('company_name') });
    const ok = await request(t.app).post('/mikrotik/process.php').set('Authorization', `Bearer ${t.key}`).field('action', 'save_settings').field('company_name', 'Acme Net');
    expect(ok.body).toMatchObject({ ok: true, data: { company_name: 'Acme Net' } });
  });

  test('a chunked multipart body (no Content-Length) is counted on the wire and capped', async () => {
    const r = await new Promise<any>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port, method: 'POST', path: '/mikrotik/process.php', headers: { Authorization: `Bearer ${t.key}`, 'Content-Type': 'multipart/form-data; boundary=b', 'Transfer-Encoding': 'chunked' } },
        (res) => {
          let data = '';
          res.on('data', (c) => (data += c));
          res.on('end', () => resolve(JSON.parse(data)));
        },
      );
      req.on('error', (e) => ((e as NodeJS.ErrnoException).code === 'ECONNRESET' || (e as NodeJS.ErrnoException).code === 'EPIPE' ? undefined : reject(e)));
      req.write('--b\r\nContent-Disposition: form-data; name="logo"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n');
      const chunk = Buffer.alloc(64 * 1024, 1);
      for (let i = 0; i < 12; i++) req.write(chunk);
    });
    expect(r).toMatchObject({ ok: false, error: 'payload_too_large' });
  });

  test('without credentials a form body is read only up to a few kilobytes (login fits)', async () => {
    const r = await request(t.app).post('/mikrotik/process.php').type('form').send(`action=me&pad=${'x'.repeat(64 * 1024)}`);
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({ ok: false, error: 'unauthorized' });
    const login = await request(t.app).post('/mikrotik/process.php').type('form').send({ action: 'login', username: 'admin', password: ADMIN_PASSWORD });
    expect(login.body).toMatchObject({ ok: true, data: { csrf_token: expect.any(String) } });
  });

  test('a form whose action comes after the 10,000th field answers too_many_fields, not missing_action', async () => {
    const fields = Array.from({ length: 10_001 }, (_, i) => `f${i}=1`).join('&');
    const r = await request(t.app).post('/mikrotik/process.php').set('Authorization', `Bearer ${t.key}`).type('form').send(`${fields}&action=me`);
    expect(r.body).toMatchObject({ ok: false, error: 'too_many_fields', message: expect.stringContaining('10000') });
  });

  test('a text/plain body is refused with the content types that are accepted', async () => {
    const r = await request(t.app).post('/mikrotik/process.php').set('Authorization', `Bearer ${t.key}`).set('Content-Type', 'text/plain').send('action=me');
    expect(r.body).toMatchObject({ ok: false, error: 'unsupported_content_type' });
    expect(r.body.message).toContain('application/x-www-form-urlencoded');
    expect(r.body.message).toContain('multipart/form-data');
    expect(r.body.message).toContain('application/json');
  });

  test('uploaded files reach the action and their temporary copies are removed afterwards', async () => {
    const fs = await import('node:fs');
    const path = await import('node:path');
    const png = fs.readFileSync(path.join(__dirname, '../../../public/logo.png'));
    const r = await request(t.app).post('/mikrotik/process.php').set('Authorization', `Bearer ${t.key}`).field('action', 'save_settings').attach('logo', png, 'logo.png');
    expect(r.body).toMatchObject({ ok: true, data: { logo_url: expect.stringMatching(/^\/uploads\//) } });
    const tmp = path.join(t.config.dataDir, 'tmp');
    const left = fs.existsSync(tmp) ? fs.readdirSync(tmp) : [];
    expect(left).toEqual([]);
  });
});

describe('cookies', () => {
  test('a cookie with a stray % set by another app on the host does not break panel calls', async () => {
    const login = await request(t.app).post('/mikrotik/process.php').type('form').send({ action: 'login', username: 'admin', password: ADMIN_PASSWORD });
    const session = String(login.headers['set-cookie']).split(';')[0];
    const r = await request(t.app).post('/mikrotik/process.php').set('Cookie', `theme=50%; ${session}; other=%E0%A4%A`).type('form').send({ action: 'me' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ ok: true, data: { username: 'admin', type: 'session' } });
  });
});

describe('messages and headers', () => {
  test('validation messages are sentences naming the field, not zod’s wording', async () => {
    const bad = await t.call('delete_web_admin', { id: 'abc' });
    expect(bad).toMatchObject({ ok: false, error: 'invalid_id', message: 'id must be a whole number.', details: { id: 'must be a whole number' } });
    const neg = await t.call('delete_web_admin', { id: '-4' });
    expect(neg.message).toBe('id must be a whole number greater than 0.');
    const short = await t.call('add_web_admin', { username: 'ab', password: 'a-long-password' });
    expect(short.message).toBe('username must be at least 3 characters long.');
    const role = await t.call('add_web_admin', { username: 'abc', password: 'a-long-password', role: 'king' });
    expect(role.message).toMatch(/^role must be one of: superadmin, admin, operator, readonly, support, billing\.$/);
    for (const m of [bad.message, neg.message, short.message, role.message]) expect(m).not.toMatch(/Invalid input|expected|received|Too small/);
  });

  test('a 429 carries X-RateLimit-Reset as well as Retry-After', async () => {
    const rl = await makeTestApp({ rateLimits: true, env: { RATE_LIMIT_STANDARD: '2' } });
    try {
      await rl.post('me');
      await rl.post('me');
      const r = await rl.post('me');
      expect(r.status).toBe(429);
      expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(r.headers['x-ratelimit-reset'])).toBeGreaterThan(0);
      expect(r.headers['x-ratelimit-remaining']).toBe('0');
    } finally {
      await rl.close();
    }
  });

  test('the server listens on 127.0.0.1 unless HOST says otherwise', () => {
    expect(loadConfig({}).HOST).toBe('127.0.0.1');
    expect(loadConfig({ HOST: '0.0.0.0' }).HOST).toBe('0.0.0.0');
  });
});

describe('audit', () => {
  test('every write leaves a row with its outcome; a refused write too', async () => {
    const ok = await t.call('add_web_admin', { username: 'audited', password: 'a-long-password' });
    const row = await t.db('audit_log').where({ action: 'add_web_admin', target: String(ok.data.id) }).first();
    expect(row).toMatchObject({ outcome: 'ok', actor_type: 'api_key' });
    await t.call('add_web_admin', { username: 'audited', password: 'a-long-password' });
    const refused = await t.db('audit_log').where({ action: 'add_web_admin' }).orderBy('id', 'desc').first();
    expect(refused).toMatchObject({ outcome: 'duplicate_username' });
  });

  test('when the audit row cannot be written, the write does not happen', async () => {
    const a = await makeTestApp();
    try {
      await a.db.schema.renameTable('audit_log', 'audit_log_away');
      const r = await a.call('add_web_admin', { username: 'ghost', password: 'a-long-password' });
      expect(r).toMatchObject({ ok: false, error: 'internal_error' });
      expect(await a.db('admins').where({ username: 'ghost' }).first()).toBeUndefined();
      await a.db.schema.renameTable('audit_log_away', 'audit_log');
    } finally {
      await a.close();
    }
  });
});
