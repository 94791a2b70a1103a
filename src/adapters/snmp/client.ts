/**
 * SNMP polling with net-snmp: v2c (community) and v3 (USM user, SHA/SHA-256 auth, AES/AES-256 privacy).
 * One UDP session per device and poll, closed afterwards; every call has the session's per-request timeout and an
 * overall deadline, so a dead or slow device fails on its own without holding anything else up.
 */
import snmp from 'net-snmp';

export type SnmpVersion = '2c' | '3';
export type AuthProtocol = 'sha' | 'sha256';
export type PrivProtocol = 'aes' | 'aes256';

export interface SnmpTarget {
  host: string;
  port: number;
  version: SnmpVersion;
  community?: string | null;
  user?: string | null;
  authProtocol?: AuthProtocol | null;
  authKey?: string | null;
  privProtocol?: PrivProtocol | null;
  privKey?: string | null;
  timeoutMs: number;
  retries: number;
}

export type SnmpErrorCode = 'snmp_timeout' | 'snmp_auth_failed' | 'snmp_error';

export class SnmpError extends Error {
  constructor(
    readonly code: SnmpErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const OID = {
  sysDescr: '1.3.6.1.2.1.1.1.0',
  sysUpTime: '1.3.6.1.2.1.1.3.0',
  sysName: '1.3.6.1.2.1.1.5.0',
  /** Tables (not their entries): net-snmp's tableColumns appends .1.<column>. */
  ifTable: '1.3.6.1.2.1.2.2',
  ifXTable: '1.3.6.1.2.1.31.1.1',
  hrProcessorTable: '1.3.6.1.2.1.25.3.3',
  hrStorageTable: '1.3.6.1.2.1.25.2.3',
  hrStorageRam: '1.3.6.1.2.1.25.2.1.2',
  hrStorageFixedDisk: '1.3.6.1.2.1.25.2.1.4',
  mtxrHlTemperature: '1.3.6.1.4.1.14988.1.1.3.10.0',
  mtxrHlVoltage: '1.3.6.1.4.1.14988.1.1.3.8.0',
  mtxrLicVersion: '1.3.6.1.4.1.14988.1.1.4.4.0',
  mtxrBoardName: '1.3.6.1.4.1.14988.1.1.7.8.0',
} as const;

/** ifTable columns (RFC 2863) read per poll. */
const IF = { descr: 2, operStatus: 8, inDiscards: 13, inErrors: 14, outDiscards: 19, outErrors: 20 } as const;
/** ifXTable columns. */
const IFX = { name: 1, hcIn: 6, hcOut: 10, highSpeed: 15, alias: 18 } as const;
const OPER = ['', 'up', 'down', 'testing', 'unknown', 'dormant', 'notPresent', 'lowerLayerDown'];
/** A device answering with more interfaces than this is cut off: keeps one poll's memory bounded. */
export const MAX_INTERFACES = 4096;

export interface InterfaceReading {
  ifIndex: number;
  name: string | null;
  alias: string | null;
  operStatus: string | null;
  highSpeedMbps: number | null;
  inOctets: bigint | null;
  outOctets: bigint | null;
  inErrors: number | null;
  outErrors: number | null;
  inDiscards: number | null;
  outDiscards: number | null;
}

export interface PollReading {
  sysDescr: string | null;
  sysName: string | null;
  uptimeTicks: number | null;
  latencyMs: number;
  interfaces: InterfaceReading[];
}

type Session = {
  get(oids: string[], cb: (err: Error | null, vbs: Array<{ oid: string; type: number; value: unknown }>) => void): void;
  tableColumns(oid: string, columns: number[], maxRep: number, cb: (err: Error | null, table: Record<string, Record<string, unknown>>) => void): void;
  close(): void;
  on(ev: string, fn: (...a: unknown[]) => void): void;
};

function openSession(t: SnmpTarget): Session {
  const options = { port: t.port, timeout: t.timeoutMs, retries: t.retries, transport: 'udp4', backoff: 1.0 };
  let s: Session;
  if (t.version === '3') {
    const level = t.privKey ? snmp.SecurityLevel.authPriv : t.authKey ? snmp.SecurityLevel.authNoPriv : snmp.SecurityLevel.noAuthNoPriv;
    const user: Record<string, unknown> = { name: t.user ?? '', level };
    if (t.authKey) {
      user.authProtocol = t.authProtocol === 'sha256' ? snmp.AuthProtocols.sha256 : snmp.AuthProtocols.sha;
      user.authKey = t.authKey;
    }
    if (t.privKey) {
      // Net-SNMP's and most vendors' "AES256" localises the key the Blumenthal way.
      user.privProtocol = t.privProtocol === 'aes256' ? snmp.PrivProtocols.aes256b : snmp.PrivProtocols.aes;
      user.privKey = t.privKey;
    }
    s = snmp.createV3Session(t.host, user, { ...options, version: snmp.Version3 });
  } else {
    s = snmp.createSession(t.host, t.community ?? 'public', { ...options, version: snmp.Version2c });
  }
  s.on('error', () => {});
  return s;
}

/** Turns net-snmp's error classes into the three codes the API reports per device. */
export function classify(e: unknown): SnmpError {
  if (e instanceof SnmpError) return e;
  const err = e as { name?: string; code?: unknown; message?: string };
  const msg = String(err?.message ?? e).slice(0, 200);
  if (err?.name === 'RequestTimedOutError') return new SnmpError('snmp_timeout', 'The device did not answer (wrong community, filtered, or down).');
  if (err?.name === 'ResponseInvalidError' && (err.code === snmp.ResponseInvalidCode.EAuthFailure || err.code === snmp.ResponseInvalidCode.ECouldNotDecrypt)) {
    return new SnmpError('snmp_auth_failed', `SNMPv3 authentication failed: ${msg}.`);
  }
  return new SnmpError('snmp_error', msg || 'SNMP request failed.');
}

function get(s: Session, oids: string[]): Promise<Map<string, { type: number; value: unknown }>> {
  return new Promise((resolve, reject) => {
    s.get(oids, (err, vbs) => {
      if (err) return reject(err);
      const out = new Map<string, { type: number; value: unknown }>();
      for (const vb of vbs ?? []) if (!snmp.isVarbindError(vb)) out.set(vb.oid, { type: vb.type, value: vb.value });
      resolve(out);
    });
  });
}

function columns(s: Session, oid: string, cols: number[]): Promise<Record<string, Record<string, unknown>>> {
  return new Promise((resolve, reject) => {
    s.tableColumns(oid, cols, 20, (err, table) => {
      if (err) {
        // A device without the table (no ifXTable, no HOST-RESOURCES) answers noSuchObject: an empty table.
        if ((err as { name?: string }).name === 'RequestFailedError') return resolve({});
        return reject(err);
      }
      resolve(table ?? {});
    });
  });
}

export function asText(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (Buffer.isBuffer(v)) return v.toString('utf8').replace(/\0+$/, '');
  return String(v);
}

/** Counter64 arrives as a big-endian Buffer; Counter32/Gauge as a number. */
export function asBigInt(v: unknown): bigint | null {
  if (v === undefined || v === null) return null;
  if (Buffer.isBuffer(v)) return BigInt('0x' + (v.toString('hex') || '0'));
  if (typeof v === 'number' && Number.isFinite(v)) return BigInt(Math.trunc(v));
  if (typeof v === 'bigint') return v;
  return null;
}

export function asNumber(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  const b = asBigInt(v);
  return b === null ? null : Number(b);
}

async function withSession<T>(t: SnmpTarget, fn: (s: Session) => Promise<T>): Promise<T> {
  const s = openSession(t);
  // Overall deadline: a walk is many requests; the device gets a bounded share of the cycle, never more.
  const deadlineMs = t.timeoutMs * (t.retries + 1) * 4;
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      fn(s),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new SnmpError('snmp_timeout', `The device did not finish answering within ${deadlineMs} ms.`)), deadlineMs);
      }),
    ]);
  } catch (e) {
    throw classify(e);
  } finally {
    if (timer) clearTimeout(timer);
    try {
      s.close();
    } catch {
      /* already closed */
    }
  }
}

/** One poll: system group, then ifTable and ifXTable. Latency is the round trip of the first request. */
export async function pollDevice(t: SnmpTarget): Promise<PollReading> {
  return withSession(t, async (s) => {
    const started = process.hrtime.bigint();
    const sys = await get(s, [OID.sysDescr, OID.sysUpTime, OID.sysName]);
    const latencyMs = Number((process.hrtime.bigint() - started) / 1_000_000n);
    const ifT = await columns(s, OID.ifTable, Object.values(IF));
    const ifX = await columns(s, OID.ifXTable, Object.values(IFX));
    const indexes = [...new Set([...Object.keys(ifT), ...Object.keys(ifX)])]
      .map(Number)
      .filter((n) => Number.isInteger(n))
      .sort((a, b) => a - b)
      .slice(0, MAX_INTERFACES);
    const interfaces = indexes.map((i): InterfaceReading => {
      const a = ifT[String(i)] ?? {};
      const x = ifX[String(i)] ?? {};
      const oper = asNumber(a[IF.operStatus]);
      return {
        ifIndex: i,
        name: asText(x[IFX.name]) ?? asText(a[IF.descr]),
        alias: asText(x[IFX.alias]),
        operStatus: oper === null ? null : (OPER[oper] ?? String(oper)),
        highSpeedMbps: asNumber(x[IFX.highSpeed]),
        inOctets: asBigInt(x[IFX.hcIn]),
        outOctets: asBigInt(x[IFX.hcOut]),
        inErrors: asNumber(a[IF.inErrors]),
        outErrors: asNumber(a[IF.outErrors]),
        inDiscards: asNumber(a[IF.inDiscards]),
        outDiscards: asNumber(a[IF.outDiscards]),
      };
    });
    return {
      sysDescr: asText(sys.get(OID.sysDescr)?.value)?.slice(0, 255) ?? null,
      sysName: asText(sys.get(OID.sysName)?.value)?.slice(0, 255) ?? null,
      uptimeTicks: asNumber(sys.get(OID.sysUpTime)?.value),
      latencyMs,
      interfaces,
    };
  });
}

export interface HostResources {
  uptimeTicks: number | null;
  sysDescr: string | null;
  cpuLoadPercent: number | null;
  memoryTotalBytes: number | null;
  memoryFreeBytes: number | null;
  diskTotalBytes: number | null;
  diskFreeBytes: number | null;
  temperatureC: number | null;
  voltageV: number | null;
  version: string | null;
  boardName: string | null;
}

/** HOST-RESOURCES-MIB (CPU, RAM, disk) and, where the device has it, MIKROTIK-MIB (temperature, voltage, version). */
export async function readHostResources(t: SnmpTarget): Promise<HostResources> {
  return withSession(t, async (s) => {
    const sys = await get(s, [OID.sysDescr, OID.sysUpTime]);
    const mtx = await get(s, [OID.mtxrHlTemperature, OID.mtxrHlVoltage, OID.mtxrLicVersion, OID.mtxrBoardName]);
    const cpu = await columns(s, OID.hrProcessorTable, [2]);
    const storage = await columns(s, OID.hrStorageTable, [2, 4, 5, 6]);
    const loads = Object.values(cpu).map((r) => asNumber(r[2])).filter((n): n is number => n !== null);
    let memTotal: number | null = null;
    let memUsed: number | null = null;
    let diskTotal: number | null = null;
    let diskUsed: number | null = null;
    for (const r of Object.values(storage)) {
      const type = asText(r[2]) ?? '';
      const unit = asNumber(r[4]) ?? 0;
      const size = (asNumber(r[5]) ?? 0) * unit;
      const used = (asNumber(r[6]) ?? 0) * unit;
      if (type === OID.hrStorageRam) {
        memTotal = (memTotal ?? 0) + size;
        memUsed = (memUsed ?? 0) + used;
      } else if (type === OID.hrStorageFixedDisk) {
        diskTotal = (diskTotal ?? 0) + size;
        diskUsed = (diskUsed ?? 0) + used;
      }
    }
    const tenth = (v: unknown) => {
      const n = asNumber(v);
      return n === null ? null : n / 10;
    };
    return {
      uptimeTicks: asNumber(sys.get(OID.sysUpTime)?.value),
      sysDescr: asText(sys.get(OID.sysDescr)?.value),
      cpuLoadPercent: loads.length ? Math.round(loads.reduce((a, b) => a + b, 0) / loads.length) : null,
      memoryTotalBytes: memTotal,
      memoryFreeBytes: memTotal !== null && memUsed !== null ? memTotal - memUsed : null,
      diskTotalBytes: diskTotal,
      diskFreeBytes: diskTotal !== null && diskUsed !== null ? diskTotal - diskUsed : null,
      temperatureC: tenth(mtx.get(OID.mtxrHlTemperature)?.value),
      voltageV: tenth(mtx.get(OID.mtxrHlVoltage)?.value),
      version: asText(mtx.get(OID.mtxrLicVersion)?.value),
      boardName: asText(mtx.get(OID.mtxrBoardName)?.value),
    };
  });
}

/** Cheapest liveness check: sysUpTime.0. */
export async function probeUptime(t: SnmpTarget): Promise<number | null> {
  return withSession(t, async (s) => asNumber((await get(s, [OID.sysUpTime])).get(OID.sysUpTime)?.value));
}
