import crypto from 'node:crypto';
import request from 'supertest';
import { createApp, createRuntime, closeRuntime } from '../../../src/app';
import { prepareDatabase } from '../../../src/bootstrap';
import { nowUtc } from '../../../src/db/knex';
import { makeTestApp, type TestApp } from '../../helpers/app';
import { freshDatabase } from '../../helpers/db';
import { dropRedisPrefix } from '../../helpers/redis';

let t: TestApp;
let other: Awaited<ReturnType<typeof freshDatabase>>;
beforeAll(async () => {
  t = await makeTestApp();
  other = await freshDatabase();
});
afterAll(async () => {
  await t.close();
  await other.drop();
});

test('a request for a tenant host uses that tenant’s database; other hosts use the default', async () => {
  await t.db('tenants').insert({ slug: 'acme', name: 'Acme ISP', hostname: 'panel.acme.test', database_url_enc: t.rt.secrets.encrypt(other.url), status: 'active', created_at: nowUtc() });
  // The default tenant's key does not exist in Acme's database.
  const r = await request(t.app).post('/mikrotik/process.php').set('Host', 'panel.acme.test').set('Authorization', `Bearer ${t.key}`).type('form').send('action=me');
  expect(r.status).toBe(401);
  // Acme's database was migrated on first use; a key made there works only on Acme's host.
  const db = await t.rt.tenants.dbFor((await t.db('tenants').where({ slug: 'acme' }).first()).id);
  const { key } = await prepareDatabase(db, 'acme-admin-password');
  const ok = await request(t.app).post('/mikrotik/process.php').set('Host', 'panel.acme.test:8080').set('Authorization', `Bearer ${key}`).type('form').send('action=me');
  expect(ok.body).toMatchObject({ ok: true, data: { tenant: 'acme' } });
  const wrongHost = await request(t.app).post('/mikrotik/process.php').set('Host', 'other.test').set('Authorization', `Bearer ${key}`).type('form').send('action=me');
  expect(wrongHost.status).toBe(401);
});

test('with REDIS_URL two instances share one budget', async () => {
  const prefix = `ispgate-test-${crypto.randomBytes(4).toString('hex')}`;
  const env = { ...t.config, REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', REDIS_PREFIX: prefix, RATE_LIMIT_STANDARD: 4 };
  const a = createRuntime(env, { db: t.db, log: t.rt.log });
  const b = createRuntime(env, { db: t.db, log: t.rt.log });
  try {
    const appA = createApp(a);
    const appB = createApp(b);
    const call = (app: ReturnType<typeof createApp>) => request(app).post('/process').set('Authorization', `Bearer ${t.key}`).type('form').send('action=me');
    expect((await call(appA)).status).toBe(200);
    expect((await call(appB)).status).toBe(200);
    expect((await call(appA)).status).toBe(200);
    const last = await call(appB);
    expect(last.status).toBe(200);
    expect(last.headers['x-ratelimit-remaining']).toBe('0');
    expect((await call(appA)).status).toBe(429);
  } finally {
    await a.jobs.stop();
    await b.jobs.stop();
    a.redis?.disconnect();
    b.redis?.disconnect();
    await a.tenants.close();
    await b.tenants.close();
    await dropRedisPrefix(prefix);
  }
});

test('random Host headers do not grow the tenant lookup cache without bound', async () => {
  for (let i = 0; i < 1200; i++) await t.rt.tenants.resolve(`h${i}.example.test`);
  expect(t.rt.tenants.hostCache.size).toBeLessThanOrEqual(1000);
});
