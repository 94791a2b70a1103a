/**
 * A RouterOS API server on loopback that speaks the real wire protocol (length-prefixed words, sentences ended
 * by a zero-length word, .tag on every reply, !re/!done/!trap/!empty/!fatal) and is as strict as a router:
 * nothing but /login works before a successful login, unknown items and commands trap, duplicate names trap,
 * unknown menus and properties trap with RouterOS's own words (see MENUS for the v7 menus ispgate uses).
 */
import net from 'node:net';
import tls from 'node:tls';
import { generateKeyPairSync } from 'node:crypto';

export type Row = Record<string, string>;

export interface FakeRouterOptions {
  users?: Record<string, string>;
  /** RouterOS >= 7.18 sends !empty before !done when a print has no rows. */
  emptyReply?: boolean;
  seed?: Record<string, Row[]>;
  tls?: tls.TlsOptions;
}

export interface Fault {
  /** Decides on each received sentence (after login) whether to inject this fault. */
  match: (words: string[]) => boolean;
  /** 'drop' destroys the socket without answering; 'trap' answers with a !trap; 'hang' never answers. */
  kind: 'drop' | 'trap' | 'hang';
  message?: string;
  once?: boolean;
}

/**
 * The menus ispgate uses, with the properties RouterOS v7 lets one add or set on them. Anything else traps as the
 * router does: an unknown menu with `no such command prefix`, an unknown property with `unknown parameter <name>`.
 * Read-only menus (`/ppp/active`, `/interface`) take no add. Property lists follow the v7 reference (help.mikrotik.com)
 * and terraform-routeros's schemas.
 */
interface MenuSpec {
  attrs: string[];
  /** Property RouterOS keeps unique within the menu, and the trap text it answers on a duplicate. */
  unique?: { key: string; message: string };
  /** Properties the router fills in itself on add (printed, not settable). */
  generated?: (row: Row) => Row;
  readOnly?: boolean;
}
const COMMON = ['comment', 'disabled'];
const MENUS: Record<string, MenuSpec> = {
  '/ppp/secret': {
    attrs: [...COMMON, 'name', 'password', 'profile', 'service', 'local-address', 'remote-address', 'caller-id', 'routes',
      'limit-bytes-in', 'limit-bytes-out', 'remote-ipv6-prefix', 'ipv6-routes'],
    unique: { key: 'name', message: 'failure: secret with the same name already exists' },
  },
  '/ppp/profile': {
    attrs: [...COMMON, 'name', 'rate-limit', 'local-address', 'remote-address', 'dns-server', 'only-one', 'parent-queue',
      'address-list', 'bridge', 'use-encryption', 'change-tcp-mss', 'session-timeout', 'idle-timeout', 'queue-type',
      'insert-queue-before', 'remote-ipv6-prefix-pool', 'dhcpv6-pd-pool', 'use-ipv6'],
    unique: { key: 'name', message: 'failure: already have such name' },
  },
  '/ppp/active': { attrs: [], readOnly: true },
  // Hotspot: users (v7 properties; the router prints the password to a full-rights user) and the logged-in sessions,
  // which the router fills in itself (read-only; remove logs a session out).
  '/ip/hotspot/user': {
    attrs: [...COMMON, 'name', 'password', 'profile', 'server', 'address', 'mac-address', 'email', 'routes', 'limit-uptime',
      'limit-bytes-in', 'limit-bytes-out', 'limit-bytes-total'],
    unique: { key: 'name', message: 'failure: already have user with this name' },
  },
  '/ip/hotspot/active': { attrs: [], readOnly: true },
  // The router's own log (read-only; the ISPBills router-log endpoint prints it).
  '/log': { attrs: [], readOnly: true },
  '/queue/simple': {
    attrs: [...COMMON, 'name', 'target', 'dst', 'parent', 'max-limit', 'limit-at', 'burst-limit', 'burst-threshold',
      'burst-time', 'priority', 'queue', 'time', 'packet-marks', 'bucket-size'],
    unique: { key: 'name', message: 'failure: already have such name' },
  },
  '/ip/dhcp-server/lease': {
    attrs: [...COMMON, 'address', 'mac-address', 'client-id', 'server', 'lease-time', 'address-lists', 'rate-limit'],
    unique: { key: 'mac-address', message: 'failure: already have static lease with this mac address' },
  },
  '/ip/pool': {
    attrs: [...COMMON.filter((a) => a !== 'disabled'), 'name', 'ranges', 'next-pool'],
    unique: { key: 'name', message: 'failure: already have such name' },
  },
  '/ipv6/pool': {
    attrs: ['comment', 'name', 'prefix', 'prefix-length'],
    unique: { key: 'name', message: 'failure: already have such name' },
  },
  '/ip/address': { attrs: [...COMMON, 'address', 'interface', 'network'] },
  '/ip/route': {
    attrs: [...COMMON, 'dst-address', 'gateway', 'distance', 'routing-table', 'scope', 'target-scope', 'pref-src',
      'check-gateway', 'vrf-interface', 'blackhole'],
  },
  '/interface': { attrs: [...COMMON, 'name', 'mtu', 'l2mtu'], readOnly: true },
  // Filled in by the router itself (sensors; MNDP/LLDP/CDP discovery): printed, never added.
  '/system/health': { attrs: [], readOnly: true },
  '/ip/neighbor': { attrs: [], readOnly: true },
  '/interface/vlan': {
    attrs: [...COMMON, 'name', 'vlan-id', 'interface', 'mtu', 'arp', 'use-service-tag', 'loop-protect'],
    unique: { key: 'name', message: 'failure: already have interface with such name' },
  },
  '/interface/vpls': {
    attrs: [...COMMON, 'name', 'peer', 'vpls-id', 'bridge', 'bridge-horizon', 'bridge-cost', 'cisco-static-id',
      'pw-type', 'pw-control-word', 'pw-l2mtu', 'mtu', 'arp'],
    unique: { key: 'name', message: 'failure: already have interface with such name' },
  },
  '/routing/ospf/instance': {
    attrs: [...COMMON, 'name', 'version', 'router-id', 'vrf', 'redistribute', 'originate-default', 'routing-table',
      'in-filter-chain', 'out-filter-chain'],
    unique: { key: 'name', message: 'failure: already have such name' },
  },
  '/routing/ospf/area': {
    attrs: [...COMMON, 'name', 'instance', 'area-id', 'type', 'default-cost', 'no-summaries'],
    unique: { key: 'name', message: 'failure: already have such name' },
  },
  '/routing/ospf/interface-template': {
    attrs: [...COMMON, 'area', 'networks', 'interfaces', 'type', 'cost', 'priority', 'passive', 'auth', 'hello-interval',
      'dead-interval'],
  },
  '/interface/wireguard': {
    attrs: [...COMMON, 'name', 'listen-port', 'mtu', 'private-key'],
    unique: { key: 'name', message: 'failure: already have interface with such name' },
    generated: () => {
      const { publicKey, privateKey } = generateKeyPairSync('x25519');
      return {
        'public-key': publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('base64'),
        'private-key': privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(-32).toString('base64'),
        running: 'true',
      };
    },
  },
  '/interface/wireguard/peers': {
    attrs: [...COMMON, 'interface', 'public-key', 'allowed-address', 'endpoint-address', 'endpoint-port',
      'persistent-keepalive', 'preshared-key', 'name', 'private-key', 'client-address', 'client-dns', 'client-endpoint',
      'client-keepalive', 'client-listen-port', 'is-responder'],
  },
};
const SINGLETONS: Record<string, Row> = {
  '/system/resource': {
    uptime: '1w2d3h',
    version: '7.16.2 (stable)',
    'cpu-load': '3',
    'free-memory': '123456789',
    'total-memory': '268435456',
    'board-name': 'CHR',
    'architecture-name': 'x86_64',
    'cpu-count': '2',
    'free-hdd-space': '90000000',
    'total-hdd-space': '134217728',
  },
  '/system/identity': { name: 'fake-router' },
};

/** Menus a RouterOS v7 router has rows in from the start (monitoring reads them); a seed replaces them. */
const DEFAULT_TABLES: Record<string, Row[]> = {
  // v7 prints one row per sensor; v6 printed one row with voltage= and temperature=.
  '/system/health': [
    { name: 'voltage', value: '24.1', type: 'V' },
    { name: 'temperature', value: '41', type: 'C' },
    { name: 'cpu-temperature', value: '48', type: 'C' },
  ],
  '/ip/neighbor': [],
};

export function encodeLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  if (n < 0x4000) return Buffer.from([(n >> 8) | 0x80, n & 0xff]);
  if (n < 0x200000) return Buffer.from([(n >> 16) | 0xc0, (n >> 8) & 0xff, n & 0xff]);
  if (n < 0x10000000) return Buffer.from([(n >>> 24) | 0xe0, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
  return Buffer.from([0xf0, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
}

export function encodeSentence(words: string[]): Buffer {
  const parts: Buffer[] = [];
  for (const w of words) {
    const b = Buffer.from(w, 'utf8');
    parts.push(encodeLength(b.length), b);
  }
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

/** [length, header bytes], or null when the buffer does not yet hold the whole length prefix. */
export function decodeLength(buf: Buffer, off: number): [number, number] | null {
  if (off >= buf.length) return null;
  const b = buf[off];
  if ((b & 0x80) === 0) return [b, 1];
  let need: number;
  if ((b & 0xc0) === 0x80) need = 2;
  else if ((b & 0xe0) === 0xc0) need = 3;
  else if ((b & 0xf0) === 0xe0) need = 4;
  else if (b === 0xf0) need = 5;
  else throw new Error(`invalid length prefix 0x${b.toString(16)}`);
  if (off + need > buf.length) return null;
  let len: number;
  if (need === 5) len = buf.readUInt32BE(off + 1);
  else {
    len = b & (0xff >> need);
    for (let i = 1; i < need; i++) len = len * 256 + buf[off + i];
  }
  return [len, need];
}

interface Parsed {
  command: string;
  attrs: Row;
  queries: string[];
  tag?: string;
  proplist?: string[];
}

function parseSentence(words: string[]): Parsed {
  const [command, ...rest] = words;
  const p: Parsed = { command, attrs: {}, queries: [] };
  for (const w of rest) {
    if (w.startsWith('.tag=')) p.tag = w.slice(5);
    else if (w.startsWith('.proplist=')) p.proplist = w.slice(10).split(',');
    else if (w.startsWith('?')) p.queries.push(w.slice(1));
    else if (w.startsWith('=')) {
      const eq = w.indexOf('=', 1);
      const key = eq === -1 ? w.slice(1) : w.slice(1, eq);
      const value = eq === -1 ? '' : w.slice(eq + 1);
      if (key === '.proplist') p.proplist = value.split(',');
      else p.attrs[key] = value;
    }
  }
  return p;
}

/** RouterOS prints booleans as true/false whatever was sent (yes/no). */
function normaliseValue(v: string): string {
  if (v === 'yes') return 'true';
  if (v === 'no') return 'false';
  return v;
}

export class FakeRouterOS {
  readonly log: string[][] = [];
  readonly tables = new Map<string, Row[]>();
  readonly faults: Fault[] = [];
  private server: net.Server;
  private sockets = new Set<net.Socket>();
  private counter = 0;
  private users: Record<string, string>;
  private emptyReply: boolean;
  port = 0;

  constructor(opts: FakeRouterOptions = {}) {
    this.users = opts.users ?? { admin: 'secret' };
    this.emptyReply = opts.emptyReply ?? false;
    for (const [menu, rows] of Object.entries(DEFAULT_TABLES)) {
      // Ids of their own (*F1, *F2 …) so the ids of items a test adds still start at *1.
      if (!opts.seed?.[menu]) this.tables.set(menu, rows.map((r, i) => ({ '.id': `*F${i + 1}`, ...r })));
    }
    for (const [menu, rows] of Object.entries(opts.seed ?? {})) {
      if (!MENUS[menu]) throw new Error(`the fake RouterOS does not know the menu ${menu}`);
      this.tables.set(menu, rows.map((r) => this.withId(menu, r)));
    }
    const onConn = (sock: net.Socket) => this.handle(sock);
    this.server = opts.tls ? tls.createServer(opts.tls, onConn) : net.createServer(onConn);
  }

  listen(port = 0, host = '127.0.0.1'): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.port = (this.server.address() as net.AddressInfo).port;
        resolve(this.port);
      });
    });
  }

  /** Stops accepting and cuts every open connection, like a router that lost power. */
  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  rows(menu: string): Row[] {
    return this.tables.get(menu) ?? [];
  }

  /** Sentences received for a command, e.g. commands('/ppp/secret/add'). */
  commands(command: string): string[][] {
    return this.log.filter((w) => w[0] === command);
  }

  /** A new row's .id, and `disabled=false` on menus that have the property (/ip/pool, /ipv6/pool have none). */
  private withId(menu: string, r: Row): Row {
    this.counter += 1;
    const base: Row = { '.id': `*${this.counter.toString(16).toUpperCase()}` };
    if (MENUS[menu]?.attrs.includes('disabled')) base.disabled = 'false';
    return { ...base, ...r };
  }

  private handle(sock: net.Socket): void {
    this.sockets.add(sock);
    sock.on('error', () => {});
    sock.on('close', () => this.sockets.delete(sock));
    let buf = Buffer.alloc(0);
    let words: string[] = [];
    let loggedIn = false;
    sock.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      let off = 0;
      for (;;) {
        let dl: [number, number] | null;
        try {
          dl = decodeLength(buf, off);
        } catch {
          sock.destroy();
          return;
        }
        if (!dl) break;
        const [len, hdr] = dl;
        if (off + hdr + len > buf.length) break;
        const word = buf.subarray(off + hdr, off + hdr + len).toString('utf8');
        off += hdr + len;
        if (len === 0) {
          const sentence = words;
          words = [];
          if (sentence.length === 0) continue;
          this.log.push(sentence);
          const res = this.dispatch(sentence, loggedIn);
          if (res.login) loggedIn = true;
          if (res.drop) {
            sock.destroy();
            return;
          }
          if (res.reply) sock.write(res.reply);
          if (res.end) sock.end();
        } else {
          words.push(word);
        }
      }
      buf = buf.subarray(off);
    });
  }

  private dispatch(words: string[], loggedIn: boolean): { reply?: Buffer; login?: boolean; drop?: boolean; end?: boolean } {
    const p = parseSentence(words);
    const tagged = (w: string[]) => (p.tag !== undefined ? [...w, `.tag=${p.tag}`] : w);
    const done = (extra: string[] = []) => encodeSentence(tagged(['!done', ...extra]));
    const trap = (message: string) =>
      Buffer.concat([encodeSentence(tagged(['!trap', `=message=${message}`])), done()]);

    if (p.command === '/login') {
      const user = p.attrs.name;
      if (user !== undefined && Object.hasOwn(this.users, user) && this.users[user] === p.attrs.password) {
        return { reply: done(), login: true };
      }
      return { reply: trap('invalid user name or password (6)') };
    }
    if (p.command === '/quit') {
      return { reply: encodeSentence(['!fatal', 'session terminated on request']), end: true };
    }
    if (!loggedIn) return { reply: trap('not logged in') };

    const fault = this.faults.find((f) => f.match(words));
    if (fault) {
      if (fault.once) this.faults.splice(this.faults.indexOf(fault), 1);
      if (fault.kind === 'drop') return { drop: true };
      if (fault.kind === 'hang') return {};
      return { reply: trap(fault.message ?? 'failure: injected fault') };
    }

    if (p.command === '/cancel') return { reply: done() };
    const m = /^(\/.+)\/(print|getall|add|set|remove|enable|disable)$/.exec(p.command);
    if (!m) return { reply: trap('no such command prefix') };
    const [, menu, verb] = m;

    const single = SINGLETONS[menu];
    if (single) {
      if (verb === 'print' || verb === 'getall') {
        return { reply: Buffer.concat([encodeSentence(tagged(['!re', ...this.project(single, p.proplist)])), done()]) };
      }
      if (verb === 'set') {
        Object.assign(single, p.attrs);
        return { reply: done() };
      }
      return { reply: trap('no such command') };
    }

    const spec = MENUS[menu];
    if (!spec) return { reply: trap('no such command prefix') };
    if (!this.tables.has(menu)) this.tables.set(menu, []);
    const table = this.tables.get(menu)!;
    if (spec.readOnly && verb === 'add') return { reply: trap('no such command') };
    if (verb === 'add' || verb === 'set') {
      const unknown = Object.keys(p.attrs).find((k) => k !== '.id' && k !== 'numbers' && !spec.attrs.includes(k));
      if (unknown !== undefined) return { reply: trap(`unknown parameter ${unknown}`) };
    }

    if (verb === 'print' || verb === 'getall') {
      const rows = table.filter((r) => p.queries.every((q) => this.matches(r, q)));
      const parts = rows.map((r) => encodeSentence(tagged(['!re', ...this.project(r, p.proplist)])));
      if (rows.length === 0 && this.emptyReply) parts.push(encodeSentence(tagged(['!empty'])));
      parts.push(done());
      return { reply: Buffer.concat(parts) };
    }
    if (verb === 'add') {
      const key = spec.unique?.key;
      const row: Row = {};
      for (const [k, v] of Object.entries(p.attrs)) row[k] = normaliseValue(v);
      if (key && row[key] !== undefined && table.some((r) => r[key] === row[key])) {
        return { reply: trap(spec.unique!.message) };
      }
      const stored = this.withId(menu, { ...(spec.generated?.(row) ?? {}), ...row });
      table.push(stored);
      return { reply: done([`=ret=${stored['.id']}`]) };
    }

    const targetSpec = p.attrs['.id'] ?? p.attrs.numbers;
    if (!targetSpec) return { reply: trap('no such item') };
    const targets: Row[] = [];
    for (const t of targetSpec.split(',')) {
      const row = table.find((r) => r['.id'] === t || r.name === t);
      if (!row) return { reply: trap('no such item') };
      targets.push(row);
    }
    if (verb === 'remove') {
      for (const r of targets) table.splice(table.indexOf(r), 1);
      return { reply: done() };
    }
    if (verb === 'enable' || verb === 'disable') {
      for (const r of targets) r.disabled = verb === 'disable' ? 'true' : 'false';
      return { reply: done() };
    }
    // set
    const key = spec.unique?.key;
    const changes: Row = {};
    for (const [k, v] of Object.entries(p.attrs)) if (k !== '.id' && k !== 'numbers') changes[k] = normaliseValue(v);
    if (key && changes[key] !== undefined) {
      if (table.some((r) => !targets.includes(r) && r[key] === changes[key])) return { reply: trap(spec.unique!.message) };
    }
    for (const r of targets) Object.assign(r, changes);
    return { reply: done() };
  }

  private matches(row: Row, q: string): boolean {
    if (q.startsWith('#')) return true;
    if (q.startsWith('-')) return row[q.slice(1)] === undefined;
    const eq = q.indexOf('=');
    if (eq === -1) return row[q] !== undefined;
    return row[q.slice(0, eq)] === q.slice(eq + 1);
  }

  private project(row: Row, proplist?: string[]): string[] {
    return Object.entries(row)
      .filter(([k]) => !proplist || proplist.includes(k))
      .map(([k, v]) => `=${k}=${v}`);
  }
}
