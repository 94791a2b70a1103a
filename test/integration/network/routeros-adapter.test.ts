import { FakeRouterOS } from '../../fakes/routeros-server';
import { RouterOsSession, withRouter } from '../../../src/adapters/routeros/session';
import {
  applyLease,
  applyPppSecret,
  applyQueue,
  kickPppActive,
  readSystemResource,
  removeIfPresent,
} from '../../../src/adapters/routeros/ops';
import { AppError } from '../../../src/errors';

let fake: FakeRouterOS;
const conn = () => ({ host: '127.0.0.1', port: fake.port, user: 'admin', password: 'secret', timeoutMs: 1500 });

beforeEach(async () => {
  fake = new FakeRouterOS({ emptyReply: true });
  await fake.listen();
});
afterEach(async () => {
  await fake.close();
});

async function expectCode(p: Promise<unknown>, code: string): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe(code);
    return e as AppError;
  }
  throw new Error(`expected ${code}`);
}

test('logs in with the configured credentials and sends exact words for a PPP secret', async () => {
  await withRouter(conn(), async (s) => {
    const r = await applyPppSecret(s, {
      name: 'alice',
      password: '0123', // numeric-looking: must reach the router as text
      profile: 'ispgate-plan-1',
      remoteAddress: '10.10.0.5',
      callerId: 'AA:BB:CC:DD:EE:F0',
      comment: 'ispgate customer 7',
    });
    expect(r.created).toBe(true);
  });
  expect(fake.commands('/login')[0]).toEqual(['/login', '=name=admin', '=password=secret', expect.stringMatching(/^\.tag=/)]);
  const [secret] = fake.rows('/ppp/secret');
  expect(secret).toMatchObject({
    name: 'alice',
    password: '0123',
    profile: 'ispgate-plan-1',
    service: 'pppoe',
    'remote-address': '10.10.0.5',
    'caller-id': 'AA:BB:CC:DD:EE:F0',
    comment: 'ispgate customer 7',
    disabled: 'false',
  });
});

test('a second apply converges (set, not a duplicate add) and undo restores the previous values', async () => {
  await withRouter(conn(), async (s) => {
    await applyQueue(s, { name: 'alice', target: '10.10.0.5/32', fields: { 'max-limit': '10M/20M' }, comment: 'c' });
    const again = await applyQueue(s, { name: 'alice', target: '10.10.0.5/32', fields: { 'max-limit': '20M/40M' }, comment: 'c' });
    expect(again.created).toBe(false);
    expect(fake.rows('/queue/simple')).toHaveLength(1);
    expect(fake.rows('/queue/simple')[0]['max-limit']).toBe('20M/40M');
    await again.undo();
    expect(fake.rows('/queue/simple')[0]['max-limit']).toBe('10M/20M');
  });
  expect(fake.commands('/queue/simple/add')).toHaveLength(1);
});

test('undo of an add removes exactly that item', async () => {
  await withRouter(conn(), async (s) => {
    const lease = await applyLease(s, { macAddress: 'AA:BB:CC:DD:EE:F0', address: '10.10.0.5', comment: 'c' });
    expect(fake.rows('/ip/dhcp-server/lease')).toHaveLength(1);
    await lease.undo();
  });
  expect(fake.rows('/ip/dhcp-server/lease')).toHaveLength(0);
  expect(fake.commands('/ip/dhcp-server/lease/remove')[0]).toContain('=.id=*1');
});

test('rename moves the existing secret instead of leaving the old name behind', async () => {
  await withRouter(conn(), async (s) => {
    await applyPppSecret(s, { name: 'old', password: 'p', profile: 'default', comment: 'c' });
    await applyPppSecret(s, { name: 'new', password: 'p', profile: 'default', comment: 'c' }, 'old');
  });
  expect(fake.rows('/ppp/secret').map((r) => r.name)).toEqual(['new']);
});

test('rename onto a name already on the router takes it over and removes the old login; undo restores both', async () => {
  await withRouter(conn(), async (s) => {
    await applyPppSecret(s, { name: 'old', password: 'p-old', profile: 'default', comment: 'c' });
    await applyPppSecret(s, { name: 'new', password: 'leftover', profile: 'default', comment: 'x' });
    const r = await applyPppSecret(s, { name: 'new', password: 'p-new', profile: 'default', comment: 'c' }, 'old');
    expect(fake.rows('/ppp/secret')).toEqual([expect.objectContaining({ name: 'new', password: 'p-new' })]);
    await r.undo();
  });
  expect(fake.rows('/ppp/secret').map((r) => [r.name, r.password]).sort()).toEqual([['new', 'leftover'], ['old', 'p-old']]);
});

test('removeIfPresent is a no-op when absent (survives !empty) and undo re-adds a removed item', async () => {
  await withRouter(conn(), async (s) => {
    const none = await removeIfPresent(s, '/ppp/secret', 'name', 'ghost');
    await none();
    await applyPppSecret(s, { name: 'bob', password: 'pw', profile: 'default', comment: 'c' });
    const undo = await removeIfPresent(s, '/ppp/secret', 'name', 'bob');
    expect(fake.rows('/ppp/secret')).toHaveLength(0);
    await undo();
  });
  expect(fake.rows('/ppp/secret')[0]).toMatchObject({ name: 'bob', password: 'pw' });
});

test('reads /system/resource', async () => {
  const r = await withRouter(conn(), (s) => readSystemResource(s));
  expect(r).toEqual({
    uptime: '1w2d3h',
    version: '7.16.2 (stable)',
    cpu_load_percent: 3,
    free_memory_bytes: 123456789,
    total_memory_bytes: 268435456,
    board_name: 'CHR',
    architecture: 'x86_64',
  });
});

test('kicks active PPP sessions by name', async () => {
  fake.tables.set('/ppp/active', [{ '.id': '*A1', name: 'alice', address: '10.10.0.5' }, { '.id': '*A2', name: 'bob' }]);
  expect(await withRouter(conn(), (s) => kickPppActive(s, 'alice'))).toBe(1);
  expect(fake.rows('/ppp/active').map((r) => r.name)).toEqual(['bob']);
});

test('wrong password → router_login_failed', async () => {
  await expectCode(RouterOsSession.open({ ...conn(), password: 'nope' }), 'router_login_failed');
});

test('nobody listening → router_unreachable', async () => {
  const port = fake.port;
  await fake.close();
  const e = await expectCode(RouterOsSession.open({ ...conn(), port }), 'router_unreachable');
  expect(e.message).toContain('ECONNREFUSED');
});

test('a !trap surfaces as router_error with the router message', async () => {
  fake.faults.push({ match: (w) => w[0] === '/queue/simple/add', kind: 'trap', message: 'failure: bad target' });
  const e = await expectCode(
    withRouter(conn(), (s) => applyQueue(s, { name: 'x', target: 'nowhere', fields: {}, comment: 'c' })),
    'router_error',
  );
  expect(e.message).toContain('failure: bad target');
});

test('a router that drops the connection mid-command rejects at once with router_unreachable', async () => {
  fake.faults.push({ match: (w) => w[0] === '/ppp/secret/add', kind: 'drop' });
  await expectCode(
    withRouter(conn(), (s) => applyPppSecret(s, { name: 'a', password: 'b', profile: 'default', comment: 'c' })),
    'router_unreachable',
  );
});

test('a router that never answers hits the per-call timeout', async () => {
  fake.faults.push({ match: (w) => w[0] === '/ppp/secret/print', kind: 'hang' });
  const e = await expectCode(
    withRouter({ ...conn(), timeoutMs: 300 }, (s) => applyPppSecret(s, { name: 'a', password: 'b', profile: 'p', comment: 'c' })),
    'router_unreachable',
  );
  expect(e.message).toContain('no answer within 300 ms');
});

test('the fake is strict: commands before login trap', async () => {
  const net = await import('node:net');
  const { encodeSentence } = await import('../../fakes/routeros-server');
  const reply = await new Promise<string>((resolve) => {
    const sock = net.connect(fake.port, '127.0.0.1', () => sock.write(encodeSentence(['/ppp/secret/print', '.tag=t1'])));
    sock.on('data', (d) => {
      resolve(d.toString('latin1'));
      sock.destroy();
    });
  });
  expect(reply).toContain('!trap');
  expect(reply).toContain('not logged in');
  expect(reply).toContain('.tag=t1');
});
