/**
 * A real Net-SNMP `snmpd` on loopback for the tests (v2c community and v3 users), with the interface tables served
 * by an AgentX subagent (net-snmp's) inside the test process, so the test can move the 64-bit counters, wrap them
 * and "reboot" the device (restart snmpd: sysUpTime goes back, counters start again). snmpd's own ifTable/ifXTable
 * modules are switched off so the subagent's rows are the only ones. snmpd's `pass`/`override` cannot serve
 * Counter64; AgentX can.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import snmp from 'net-snmp';

export function snmpdAvailable(): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v snmpd'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export interface LabInterface {
  index: number;
  name: string;
  alias?: string;
  speedMbps: number;
  oper?: number;
  in: bigint;
  out: bigint;
  inErrors?: number;
}

export interface LabUser {
  user: string;
  auth: 'SHA' | 'SHA-256';
  authKey: string;
  priv: 'AES' | 'AES256';
  privKey: string;
}

async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function freeTcpPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const T = snmp.ObjectType;
const RO = snmp.MaxAccess['read-only'];
const col = (number: number, name: string, type: number) => ({ number, name, type, maxAccess: RO });
const hidden = { number: 99, name: 'idx', type: T.Integer, maxAccess: snmp.MaxAccess['not-accessible'] };

export class SnmpLab {
  port = 0;
  private agentxPort = 0;
  private dir = '';
  private proc: ChildProcess | null = null;
  private sub: any = null;
  readonly interfaces = new Map<number, LabInterface>();

  constructor(
    readonly community: string,
    readonly users: LabUser[],
    ifs: LabInterface[],
    readonly sysDescr = 'RouterOS CCR2004-1G-12S+2XS',
  ) {
    for (const i of ifs) this.interfaces.set(i.index, { ...i });
  }

  async start(): Promise<this> {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ispgate-snmpd-'));
    this.port = await freeUdpPort();
    this.agentxPort = await freeTcpPort();
    await this.spawnAgent();
    return this;
  }

  private async spawnAgent() {
    const conf = [
      `agentAddress udp:127.0.0.1:${this.port}`,
      'master agentx',
      `agentXSocket tcp:127.0.0.1:${this.agentxPort}`,
      `rocommunity ${this.community} 127.0.0.1`,
      ...this.users.flatMap((u) => [`createUser ${u.user} ${u.auth} "${u.authKey}" ${u.priv} "${u.privKey}"`, `rouser ${u.user} priv`]),
      'sysName lab-router',
      `sysDescr ${this.sysDescr}`,
      'sysLocation ci-lab',
      'dontLogTCPWrappersConnects yes',
    ].join('\n');
    fs.writeFileSync(path.join(this.dir, 'snmpd.conf'), conf + '\n');
    fs.mkdirSync(path.join(this.dir, 'persist'), { recursive: true });
    const log = fs.openSync(path.join(this.dir, 'snmpd.log'), 'a');
    this.proc = spawn('snmpd', ['-f', '-Lo', '-C', '-I', '-smux,ifTable,ifXTable,interfaces', '-c', path.join(this.dir, 'snmpd.conf')], {
      env: { ...process.env, MIBS: '', MIBDIRS: '/nonexistent', SNMP_PERSISTENT_DIR: path.join(this.dir, 'persist') },
      stdio: ['ignore', log, log],
    });
    // AgentX master up = its TCP port accepts.
    for (let i = 0; i < 100; i++) {
      const ok = await new Promise<boolean>((resolve) => {
        const c = net.connect(this.agentxPort, '127.0.0.1', () => {
          c.destroy();
          resolve(true);
        });
        c.on('error', () => resolve(false));
      });
      if (ok) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await this.startSubagent();
  }

  private async startSubagent() {
    const sub = snmp.createSubagent({ master: '127.0.0.1', masterPort: this.agentxPort });
    sub.on('error', (e: unknown) => { if (process.env.LAB_DEBUG) console.log('subagent error', e); });
    this.sub = sub;
    await new Promise<void>((resolve, reject) => sub.open((e: Error | null) => (e ? reject(e) : resolve())));
    const ifEntry = {
      name: 'ifEntry',
      type: snmp.MibProviderType.Table,
      oid: '1.3.6.1.2.1.2.2.1',
      maxAccess: snmp.MaxAccess['not-accessible'],
      tableColumns: [col(1, 'ifIndex', T.Integer), col(2, 'ifDescr', T.OctetString), col(8, 'ifOperStatus', T.Integer), col(13, 'ifInDiscards', T.Counter), col(14, 'ifInErrors', T.Counter), col(19, 'ifOutDiscards', T.Counter), col(20, 'ifOutErrors', T.Counter)],
      tableIndex: [{ columnName: 'ifIndex' }],
    };
    const ifXEntry = {
      name: 'ifXEntry',
      type: snmp.MibProviderType.Table,
      oid: '1.3.6.1.2.1.31.1.1.1',
      maxAccess: snmp.MaxAccess['not-accessible'],
      tableColumns: [col(1, 'ifName', T.OctetString), col(6, 'ifHCInOctets', T.Counter64), col(10, 'ifHCOutOctets', T.Counter64), col(15, 'ifHighSpeed', T.Gauge), col(18, 'ifAlias', T.OctetString), hidden],
      tableIndex: [{ columnName: 'idx' }],
    };
    for (const p of [ifEntry, ifXEntry]) {
      await new Promise<void>((resolve, reject) => sub.registerProvider(p, (e: Error | null) => (e ? reject(e) : resolve())));
    }
    const mib = sub.getMib();
    for (const i of this.interfaces.values()) {
      mib.addTableRow('ifEntry', [i.index, i.name, i.oper ?? 1, 0, i.inErrors ?? 0, 0, 0]);
      mib.addTableRow('ifXEntry', [i.name, i.in, i.out, i.speedMbps, i.alias ?? '', i.index]);
    }
  }

  /** Moves an interface's counters to these absolute values (Counter64). */
  setCounters(index: number, inOctets: bigint, outOctets: bigint) {
    const i = this.interfaces.get(index)!;
    i.in = inOctets;
    i.out = outOctets;
    const mib = this.sub.getMib();
    mib.setTableSingleCell('ifXEntry', 6, [index], inOctets);
    mib.setTableSingleCell('ifXEntry', 10, [index], outOctets);
  }

  addCounters(index: number, inDelta: bigint, outDelta: bigint) {
    const i = this.interfaces.get(index)!;
    const mod = 1n << 64n;
    this.setCounters(index, (i.in + inDelta) % mod, (i.out + outDelta) % mod);
  }

  /** A reboot: the agent restarts (sysUpTime starts again from 0) and the counters restart from `counters`. */
  async reboot(counters: bigint) {
    await this.stopAgent();
    for (const i of this.interfaces.values()) {
      i.in = counters;
      i.out = counters;
    }
    await this.spawnAgent();
  }

  private async stopAgent() {
    if (this.sub) {
      try {
        this.sub.close(() => {});
      } catch {
        /* closed */
      }
      this.sub = null;
    }
    if (this.proc && this.proc.exitCode === null) {
      const p = this.proc;
      await new Promise<void>((resolve) => {
        p.once('exit', () => resolve());
        p.kill('SIGTERM');
      });
    }
    this.proc = null;
  }

  async stop() {
    await this.stopAgent();
    if (this.dir) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
