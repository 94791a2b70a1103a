import request from 'supertest';
import { makeTestApp, type TestApp } from '../helpers/app';
import { testDialect } from '../helpers/db';
import { TcpProxy } from '../fakes/tcp-proxy';
import { isConnectionError, translateDbError } from '../../src/db/errors';
import { testIf } from '../helpers/skip';

/**
 * A database that refuses connections or freezes answers 503 service_unavailable with Retry-After, on every
 * request and on /healthz, instead of 500 internal_error or a hang. MariaDB is reached through a loopback proxy
 * the test controls, so the shared server is never stopped.
 */
const mysql = testDialect() === 'mysql';
if (!mysql) console.info('db-outage: the proxy tests need MariaDB (TEST_DATABASE=mysql); SQLite is a local file that cannot refuse or freeze, its failure codes are checked below.');
const mysqlTest = testIf(mysql, 'the outage is staged by a TCP proxy in front of MariaDB: run with TEST_DATABASE=mysql');

test('connection-type failures of both dialects are classified as service_unavailable', () => {
  for (const err of [
    Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3306'), { code: 'ECONNREFUSED' }),
    Object.assign(new Error('Connection lost: The server closed the connection.'), { code: 'PROTOCOL_CONNECTION_LOST', fatal: true }),
    Object.assign(new Error('Knex: Timeout acquiring a connection. The pool is probably full.'), { name: 'KnexTimeoutError' }),
    Object.assign(new Error('x'), { code: 'DB_QUERY_TIMEOUT' }),
    Object.assign(new Error('unable to open database file'), { code: 'SQLITE_CANTOPEN' }),
    Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR_WRITE' }),
    Object.assign(new Error('wrapped'), { cause: Object.assign(new Error('reset'), { code: 'ECONNRESET' }) }),
  ]) {
    expect(isConnectionError(err)).toBe(true);
    expect(translateDbError(err)).toMatchObject({ code: 'service_unavailable', status: 503, extra: { retry_after: 5 } });
  }
  expect(isConnectionError(Object.assign(new Error('dup'), { code: 'ER_DUP_ENTRY', errno: 1062 }))).toBe(false);
  expect(isConnectionError(new Error('something else'))).toBe(false);
});

describe('MariaDB behind a proxy that refuses and freezes', () => {
  let t: TestApp;
  let proxy: TcpProxy;
  beforeAll(async () => {
    if (!mysql) return;
    proxy = await new TcpProxy('127.0.0.1', 3306).start();
    t = await makeTestApp({
      databaseUrl: (url) => {
        const u = new URL(url);
        u.host = `127.0.0.1:${proxy.port}`;
        u.searchParams.set('acquire_timeout_ms', '1000');
        u.searchParams.set('query_timeout_ms', '1500');
        return u.toString();
      },
    });
  });
  afterAll(async () => {
    if (!mysql) return;
    await proxy.restore();
    await t?.close();
    await proxy.close();
  });

  async function expectUnavailable() {
    const r = await t.post('list_invoices', {});
    expect(r.status).toBe(503);
    expect(r.body).toMatchObject({ ok: false, error: 'service_unavailable' });
    expect(r.headers['retry-after']).toBe('5');
    const h = await request(t.app).get('/healthz');
    expect(h.status).toBe(503);
    expect(h.body).toMatchObject({ ok: false, error: 'database_unavailable' });
  }

  async function expectUp() {
    expect(await t.call('list_invoices', {})).toMatchObject({ ok: true });
    expect((await request(t.app).get('/healthz')).status).toBe(200);
  }

  mysqlTest('refused: 503 service_unavailable with Retry-After, /healthz 503; back to normal after', async () => {
    await expectUp();
    await proxy.refuse();
    await expectUnavailable();
    await proxy.restore();
    await expectUp();
  });

  mysqlTest('frozen (as SIGSTOP): requests and /healthz answer 503 at the deadline instead of hanging', async () => {
    await expectUp();
    proxy.freeze();
    await expectUnavailable();
    await expectUnavailable();
    await proxy.restore();
    await expectUp();
  });
});
