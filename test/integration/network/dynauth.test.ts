import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { FakeNas } from '../../fakes/fake-nas';
import { sendCoa, sendDisconnect } from '../../../src/adapters/radius/dynauth';

let nas: FakeNas;
const target = () => ({ host: '127.0.0.1', port: nas.port, secret: 'nas-secret' });
const fast = { timeoutMs: 200, retries: 0 };
/** For exchanges the NAS answers: a generous deadline (only a failure waits for it), so a loaded CI machine cannot turn an answer into a timeout. */
const answered = { timeoutMs: 5000, retries: 0 };

beforeEach(async () => {
  nas = new FakeNas('nas-secret');
  nas.sessions.push({ userName: 'bob', acctSessionId: '81a00001', framedIp: '10.10.0.9' });
  await nas.listen();
});
afterEach(() => nas.close());

test('Disconnect-Request for a live session → ack, and the NAS saw the identity attributes', async () => {
  const r = await sendDisconnect(target(), { userName: 'bob', acctSessionId: '81a00001', framedIpAddress: '10.10.0.9' }, answered);
  expect(r).toEqual({ result: 'ack', code: 'Disconnect-ACK' });
  expect(nas.received[0]).toMatchObject({
    code: 'Disconnect-Request',
    attributes: { 'User-Name': 'bob', 'Acct-Session-Id': '81a00001', 'Framed-IP-Address': '10.10.0.9' },
  });
  expect(nas.sessions).toHaveLength(0);
});

test('CoA carries Mikrotik-Rate-Limit as vendor 14988 and keeps the session', async () => {
  const r = await sendCoa(target(), { userName: 'bob', acctSessionId: '81a00001' }, { rateLimit: '5M/10M' }, answered);
  expect(r).toEqual({ result: 'ack', code: 'CoA-ACK' });
  expect(nas.received[0].attributes['Vendor-Specific']).toEqual({ 'Mikrotik-Rate-Limit': '5M/10M' });
  expect(nas.sessions[0].rateLimit).toBe('5M/10M');
});

test('unknown session → nak with its Error-Cause', async () => {
  const dm = await sendDisconnect(target(), { userName: 'nobody' }, answered);
  expect(dm).toEqual({ result: 'nak', code: 'Disconnect-NAK', error_cause: 'Session-Context-Not-Found' });
  nas.errorCause = 'Unsupported-Attribute';
  const coa = await sendCoa(target(), { userName: 'nobody' }, { rateLimit: '1M/1M' }, answered);
  expect(coa).toEqual({ result: 'nak', code: 'CoA-NAK', error_cause: 'Unsupported-Attribute' });
});

test('no answer → timeout, distinct from nak; the packet is resent on retry', async () => {
  nas.behaviour = 'silent';
  const r = await sendDisconnect(target(), { userName: 'bob' }, { timeoutMs: 150, retries: 1 });
  expect(r.result).toBe('timeout');
  expect(nas.received).toHaveLength(2);
  expect(nas.received[0].identifier).toBe(nas.received[1].identifier);
});

test('wrong secret: the NAS drops the packet (authenticator check) and the sender sees timeout', async () => {
  const r = await sendCoa({ ...target(), secret: 'wrong' }, { userName: 'bob' }, { rateLimit: '1M/1M' }, fast);
  expect(r.result).toBe('timeout');
  expect(nas.dropped).toBe(1);
  expect(nas.received).toHaveLength(0);
});

const radclient = ['/usr/bin/radclient', '/usr/local/bin/radclient'].find((p) => existsSync(p));
(radclient ? test : test.skip)('the fake NAS answers a real radclient (independent implementation)', async () => {
  // radclient blocks, so run it in a child while the event loop serves the fake.
  const out = await new Promise<string>((resolve) => {
    const p = spawn(radclient!, ['-x', '-r', '1', '-t', '2', `127.0.0.1:${nas.port}`, 'disconnect', 'nas-secret']);
    let s = '';
    p.stdout.on('data', (d) => (s += d));
    p.on('close', () => resolve(s));
    p.stdin.end('User-Name = "bob"\nAcct-Session-Id = "81a00001"\n');
  });
  expect(out).toContain('Received Disconnect-ACK');
});

test('the Request Authenticator is MD5 over the packet with a zeroed authenticator plus the secret (RFC 5176 §3)', async () => {
  const dgram = await import('node:dgram');
  const { requestAuthenticatorOk } = await import('../../fakes/fake-nas');
  // Capture the raw bytes the gateway sends, and answer nothing.
  const sock = dgram.createSocket('udp4');
  const packets: Buffer[] = [];
  sock.on('message', (m) => packets.push(m));
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const port = sock.address().port;
  try {
    await sendDisconnect({ host: '127.0.0.1', port, secret: 's3' }, { userName: 'bob', acctSessionId: '81a00001' }, fast);
    await sendCoa({ host: '127.0.0.1', port, secret: 's3' }, { userName: 'bob' }, { rateLimit: '1M/2M' }, fast);
  } finally {
    sock.close();
  }
  expect(packets.map((p) => p[0])).toEqual([40, 43]);
  for (const p of packets) {
    expect(p.readUInt16BE(2)).toBe(p.length);
    expect(requestAuthenticatorOk(p, 's3')).toBe(true);
    expect(requestAuthenticatorOk(p, 's4')).toBe(false);
    // Not a random authenticator: the same packet with one attribute byte changed no longer verifies.
    const tampered = Buffer.from(p);
    tampered[tampered.length - 1] ^= 1;
    expect(requestAuthenticatorOk(tampered, 's3')).toBe(false);
  }
});
