/**
 * The RouterOS fake refuses what RouterOS v7 refuses, in RouterOS's words, so tests against it cannot pass with a
 * command a real router would trap.
 */
import { FakeRouterOS } from '../../fakes/routeros-server';
import { withRouter } from '../../../src/adapters/routeros/session';
import { AppError } from '../../../src/errors';

let fake: FakeRouterOS;
const conn = () => ({ host: '127.0.0.1', port: fake.port, user: 'admin', password: 'secret', timeoutMs: 1500 });

beforeAll(async () => {
  fake = new FakeRouterOS();
  await fake.listen();
});
afterAll(() => fake.close());

async function trapOf(command: string, words: string[]): Promise<string> {
  try {
    await withRouter(conn(), (s) => s.write(command, words));
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return String((e as AppError).extra?.router_message);
  }
  throw new Error(`${command} did not trap`);
}

test('an unknown menu traps with "no such command prefix"', async () => {
  expect(await trapOf('/ip/poool/add', ['=name=x'])).toBe('no such command prefix');
});

test('an unknown property traps with "unknown parameter <name>", on add and set', async () => {
  expect(await trapOf('/ip/pool/add', ['=name=p', '=ranges=10.0.0.1-10.0.0.9', '=gateway=10.0.0.254'])).toBe('unknown parameter gateway');
  // v7 names the VPLS peer "peer"; v6's remote-peer is refused.
  expect(await trapOf('/interface/vpls/add', ['=name=v', '=remote-peer=10.0.0.2'])).toBe('unknown parameter remote-peer');
  await withRouter(conn(), (s) => s.write('/ip/pool/add', ['=name=ok', '=ranges=10.1.0.1-10.1.0.9']));
  const id = fake.rows('/ip/pool')[0]['.id'];
  expect(await trapOf('/ip/pool/set', [`=.id=${id}`, '=dns=1.1.1.1'])).toBe('unknown parameter dns');
  expect(fake.rows('/ip/pool')).toHaveLength(1);
});

test('duplicate names trap as RouterOS words it, per menu', async () => {
  await withRouter(conn(), (s) => s.write('/interface/vlan/add', ['=name=vlan10', '=vlan-id=10', '=interface=ether1']));
  expect(await trapOf('/interface/vlan/add', ['=name=vlan10', '=vlan-id=11', '=interface=ether1'])).toBe('failure: already have interface with such name');
  expect(await trapOf('/ip/pool/add', ['=name=ok', '=ranges=10.2.0.1'])).toBe('failure: already have such name');
  await withRouter(conn(), (s) => s.write('/ppp/secret/add', ['=name=a', '=password=b']));
  expect(await trapOf('/ppp/secret/add', ['=name=a', '=password=c'])).toBe('failure: secret with the same name already exists');
});

test('read-only menus take no add; a WireGuard interface gets its own key pair', async () => {
  expect(await trapOf('/ppp/active/add', ['=name=x'])).toBe('no such command');
  await withRouter(conn(), (s) => s.write('/interface/wireguard/add', ['=name=wg0', '=listen-port=13231']));
  expect(fake.rows('/interface/wireguard')[0]['public-key']).toMatch(/^[A-Za-z0-9+/]{43}=$/);
});

test('a seed for a menu the fake does not know is a test bug', () => {
  expect(() => new FakeRouterOS({ seed: { '/ip/nothing': [] } })).toThrow(/does not know/);
});
