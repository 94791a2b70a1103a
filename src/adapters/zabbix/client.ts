/**
 * Zabbix JSON-RPC API (6.0 … 7.x). Version from apiinfo.version (no auth). Credentials: an API token, or
 * user/password through user.login. Auth travels as `Authorization: Bearer` from 6.4 on (7.2+ rejects "auth" in
 * the body) and as "auth" in the body before 6.4. Devices are hosts (host.get with interfaces); status comes from
 * interface availability and from open problems (problem.get → trigger.get with selectHosts); coordinates from the
 * host inventory (location_lat / location_lon). Zabbix keeps no LLDP/CDP neighbours: links are the ones drawn on its
 * network maps (map.get) between two host elements.
 */
import { authFailed, httpJson, unreachable } from '../librenms/http';
import type { SourceConfig, SourceDevice, SourceLink, SourceSnapshot } from '../librenms/types';

const WHAT = 'Zabbix';
type Obj = Record<string, unknown>;

class ZabbixRpc {
  private id = 0;
  private auth: string | null = null;
  version = '';

  constructor(private readonly cfg: SourceConfig) {}

  async call(method: string, params: unknown, withAuth = true): Promise<unknown> {
    const useHeader = withAuth && this.auth && versionAtLeast(this.version, 6, 4);
    const body: Obj = { jsonrpc: '2.0', method, params, id: ++this.id };
    if (withAuth && this.auth && !useHeader) body.auth = this.auth;
    const r = await httpJson(WHAT, this.cfg.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json-rpc', ...(useHeader ? { Authorization: `Bearer ${this.auth}` } : {}) },
      body: JSON.stringify(body),
      verifyTls: this.cfg.verifyTls,
      timeoutMs: this.cfg.timeoutMs,
    });
    const reply = r.json as Obj | null;
    if (!reply || reply.jsonrpc !== '2.0') throw unreachable(WHAT, `${method} did not answer JSON-RPC (HTTP ${r.status}); the URL should end in api_jsonrpc.php`);
    if (reply.error) {
      const e = reply.error as Obj;
      const text = `${String(e.message ?? '')} ${String(e.data ?? '')}`.trim();
      if (method === 'user.login' || /not authori[sz]ed|session terminated|re-login|incorrect user name|api token/i.test(text)) throw authFailed(WHAT, text);
      throw unreachable(WHAT, `${method} failed: ${text}`);
    }
    return reply.result;
  }

  async login(): Promise<void> {
    this.version = String(await this.call('apiinfo.version', {}, false));
    if (this.cfg.token) this.auth = this.cfg.token;
    else if (this.cfg.user && this.cfg.password) this.auth = String(await this.call('user.login', { username: this.cfg.user, password: this.cfg.password }, false));
    else throw authFailed(WHAT, 'neither a token nor user and password were given');
  }
}

export function versionAtLeast(v: string, major: number, minor: number): boolean {
  const [a, b] = v.split('.').map((x) => Number(x));
  return a > major || (a === major && (b ?? 0) >= minor);
}

export async function zabbixTest(cfg: SourceConfig): Promise<{ version: string | null; device_count: number }> {
  const rpc = new ZabbixRpc(cfg);
  await rpc.login();
  const count = await rpc.call('host.get', { countOutput: true });
  return { version: rpc.version, device_count: Number(count) };
}

export async function zabbixFetch(cfg: SourceConfig): Promise<SourceSnapshot> {
  const rpc = new ZabbixRpc(cfg);
  await rpc.login();
  const hosts = (await rpc.call('host.get', {
    output: ['hostid', 'host', 'name', 'status'],
    selectInterfaces: ['interfaceid', 'ip', 'type', 'available', 'main'],
    selectInventory: ['location_lat', 'location_lon'],
    limit: 100_000,
  })) as Obj[];
  const problems = (await rpc.call('problem.get', { output: ['eventid', 'objectid', 'severity'], recent: false, limit: 10_000 })) as Obj[];
  const triggerIds = [...new Set(problems.map((p) => String(p.objectid)))];
  const withProblems = new Set<string>();
  if (triggerIds.length) {
    const triggers = (await rpc.call('trigger.get', { triggerids: triggerIds, output: ['triggerid'], selectHosts: ['hostid'] })) as Obj[];
    for (const t of triggers) for (const h of (t.hosts as Obj[]) ?? []) withProblems.add(String(h.hostid));
  }
  const devices: SourceDevice[] = hosts.map((h) => {
    const ifs = ((h.interfaces as Obj[]) ?? []).map((i) => ({ ip: String(i.ip ?? ''), available: String(i.available ?? '0'), main: String(i.main ?? '0') }));
    const main = ifs.find((i) => i.main === '1') ?? ifs[0];
    let status: SourceDevice['status'] = 'unknown';
    if (ifs.some((i) => i.available === '1')) status = 'up';
    else if (ifs.length && ifs.every((i) => i.available === '2')) status = 'down';
    if (status !== 'down' && withProblems.has(String(h.hostid))) status = 'warning';
    // A host without inventory answers inventory: [] rather than an object.
    const inv = h.inventory && !Array.isArray(h.inventory) ? (h.inventory as Obj) : {};
    return {
      key: String(h.hostid),
      name: String(h.name || h.host),
      ip: main?.ip || null,
      mac: null,
      type: null,
      status,
      lat: coordinate(inv.location_lat, 90),
      lng: coordinate(inv.location_lon, 180),
    };
  });
  return { version: rpc.version, devices, links: await mapLinks(rpc, new Set(devices.map((d) => d.key))) };
}

function coordinate(v: unknown, max: number): number | null {
  const s = typeof v === 'string' ? v.trim() : '';
  if (!/^-?\d+(\.\d+)?$/.test(s)) return null;
  const n = Number(s);
  return Math.abs(n) <= max ? n : null;
}

/** Links drawn on Zabbix network maps between two host elements (elementtype 0); other elements are not devices. */
async function mapLinks(rpc: ZabbixRpc, hostIds: Set<string>): Promise<SourceLink[]> {
  const maps = (await rpc.call('map.get', {
    output: ['sysmapid'],
    selectSelements: ['selementid', 'elementtype', 'elements'],
    selectLinks: ['selementid1', 'selementid2'],
    limit: 1000,
  })) as Obj[];
  const links: SourceLink[] = [];
  for (const m of maps) {
    const hostOf = new Map<string, string>();
    for (const e of (m.selements as Obj[]) ?? []) {
      const el = ((e.elements as Obj[]) ?? [])[0];
      if (String(e.elementtype) === '0' && el?.hostid !== undefined) hostOf.set(String(e.selementid), String(el.hostid));
    }
    for (const l of (m.links as Obj[]) ?? []) {
      const a = hostOf.get(String(l.selementid1));
      const b = hostOf.get(String(l.selementid2));
      if (!a || !b || a === b || !hostIds.has(a) || !hostIds.has(b)) continue;
      links.push({ a, b, bName: null, aInterface: null, bInterface: null, speedBps: null, protocol: 'zabbix_map' });
    }
  }
  return links;
}

export const SEVERITIES = ['not_classified', 'information', 'warning', 'average', 'high', 'disaster'] as const;

export interface ZabbixHost {
  hostid: string;
  host: string;
  name: string;
  enabled: boolean;
  /** From the interfaces: available when one answers, unavailable when all fail, unknown otherwise. */
  availability: 'available' | 'unavailable' | 'unknown';
  ip: string | null;
  groups: string[];
  problems: number;
}

export interface ZabbixProblem {
  eventid: string;
  name: string;
  severity: number;
  severity_name: (typeof SEVERITIES)[number];
  acknowledged: boolean;
  started_at: string;
  hosts: Array<{ hostid: string; name: string }>;
}

/** Open problems (newest first) with the hosts their triggers belong to; `minSeverity` 0–5. */
async function problemsOf(rpc: ZabbixRpc, minSeverity = 0): Promise<ZabbixProblem[]> {
  const params: Obj = { output: ['eventid', 'objectid', 'name', 'severity', 'clock', 'acknowledged'], recent: false, sortfield: ['eventid'], sortorder: 'DESC', limit: 10_000 };
  if (minSeverity > 0) params.severities = [0, 1, 2, 3, 4, 5].filter((s) => s >= minSeverity);
  const problems = (await rpc.call('problem.get', params)) as Obj[];
  const triggerIds = [...new Set(problems.map((p) => String(p.objectid)))];
  const hostsOf = new Map<string, Array<{ hostid: string; name: string }>>();
  if (triggerIds.length) {
    const triggers = (await rpc.call('trigger.get', { triggerids: triggerIds, output: ['triggerid'], selectHosts: ['hostid', 'name'] })) as Obj[];
    for (const t of triggers) hostsOf.set(String(t.triggerid), ((t.hosts as Obj[]) ?? []).map((h) => ({ hostid: String(h.hostid), name: String(h.name ?? '') })));
  }
  return problems.map((p) => {
    const sev = Math.min(5, Math.max(0, Number(p.severity) || 0));
    return {
      eventid: String(p.eventid),
      name: String(p.name ?? ''),
      severity: sev,
      severity_name: SEVERITIES[sev],
      acknowledged: String(p.acknowledged) === '1',
      started_at: new Date(Number(p.clock) * 1000).toISOString(),
      hosts: hostsOf.get(String(p.objectid)) ?? [],
    };
  });
}

export async function zabbixProblemList(cfg: SourceConfig, minSeverity = 0): Promise<{ version: string; problems: ZabbixProblem[] }> {
  const rpc = new ZabbixRpc(cfg);
  await rpc.login();
  return { version: rpc.version, problems: await problemsOf(rpc, minSeverity) };
}

/** Hosts with availability, groups and how many open problems they have. */
export async function zabbixHostList(cfg: SourceConfig): Promise<{ version: string; hosts: ZabbixHost[]; problems: ZabbixProblem[] }> {
  const rpc = new ZabbixRpc(cfg);
  await rpc.login();
  // Host groups are selectHostGroups from 6.2 on (selectGroups was removed in 7.0).
  const groupsKey = versionAtLeast(rpc.version, 6, 2) ? 'hostgroups' : 'groups';
  const hosts = (await rpc.call('host.get', {
    output: ['hostid', 'host', 'name', 'status'],
    selectInterfaces: ['ip', 'available', 'main'],
    [groupsKey === 'hostgroups' ? 'selectHostGroups' : 'selectGroups']: ['name'],
    sortfield: 'name',
    limit: 100_000,
  })) as Obj[];
  const problems = await problemsOf(rpc);
  const count = new Map<string, number>();
  for (const p of problems) for (const h of p.hosts) count.set(h.hostid, (count.get(h.hostid) ?? 0) + 1);
  return {
    version: rpc.version,
    problems,
    hosts: hosts.map((h) => {
      const ifs = ((h.interfaces as Obj[]) ?? []).map((i) => ({ ip: String(i.ip ?? ''), available: String(i.available ?? '0'), main: String(i.main ?? '0') }));
      const main = ifs.find((i) => i.main === '1') ?? ifs[0];
      const availability: ZabbixHost['availability'] = ifs.some((i) => i.available === '1') ? 'available' : ifs.length && ifs.every((i) => i.available === '2') ? 'unavailable' : 'unknown';
      return {
        hostid: String(h.hostid),
        host: String(h.host),
        name: String(h.name || h.host),
        enabled: String(h.status) === '0',
        availability,
        ip: main?.ip || null,
        groups: ((h[groupsKey] as Obj[]) ?? []).map((g) => String(g.name)),
        problems: count.get(String(h.hostid)) ?? 0,
      };
    }),
  };
}
