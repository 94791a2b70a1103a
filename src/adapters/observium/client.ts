/**
 * Observium API (subscription edition): HTTP Basic with an Observium user, or `Authorization: Bearer <token>`.
 * Entities are objects keyed by id, not arrays: {"status":"ok","count":2,"devices":{"277":{…}}}.
 * Devices from /api/v0/devices/, neighbours (CDP/LLDP/…) from /api/v0/neighbours/, port names from /api/v0/ports/.
 * The neighbours and ports routes follow the documented /api/v0/<entity>/ pattern and Observium's table columns;
 * they are not confirmed against a real Observium (it cannot be installed here).
 */
import { authFailed, httpJson, joinUrl, unreachable } from '../librenms/http';
import type { SourceConfig, SourceDevice, SourceLink, SourceSnapshot } from '../librenms/types';

const WHAT = 'Observium';
type Obj = Record<string, unknown>;
const s = (v: unknown) => (v === undefined || v === null || v === '' ? null : String(v));
const n = (v: unknown) => (v === undefined || v === null || v === '' || Number.isNaN(Number(v)) ? null : Number(v));
const values = (v: unknown): Obj[] => (v && typeof v === 'object' ? (Array.isArray(v) ? v : Object.values(v)) : []) as Obj[];

async function get(cfg: SourceConfig, path: string): Promise<Obj> {
  let auth: string;
  if (cfg.token) auth = `Bearer ${cfg.token}`;
  else if (cfg.user && cfg.password) auth = 'Basic ' + Buffer.from(`${cfg.user}:${cfg.password}`).toString('base64');
  else throw authFailed(WHAT, 'neither a token nor user and password were given');
  const r = await httpJson(WHAT, joinUrl(cfg.url, path), { headers: { Authorization: auth }, verifyTls: cfg.verifyTls, timeoutMs: cfg.timeoutMs });
  const body = (r.json ?? {}) as Obj;
  if (r.status === 401 || r.status === 403) throw authFailed(WHAT, String(body.message ?? `HTTP ${r.status}`));
  if (r.status !== 200 || body.status !== 'ok') throw unreachable(WHAT, `${path} answered HTTP ${r.status} ${String(body.message ?? '').slice(0, 200)}`.trim());
  return body;
}

export async function observiumTest(cfg: SourceConfig): Promise<{ version: string | null; device_count: number }> {
  const body = await get(cfg, '/api/v0/devices/');
  return { version: null, device_count: n(body.count) ?? values(body.devices).length };
}

export async function observiumFetch(cfg: SourceConfig): Promise<SourceSnapshot> {
  const dev = await get(cfg, '/api/v0/devices/');
  const nb = await get(cfg, '/api/v0/neighbours/');
  const ports = await get(cfg, '/api/v0/ports/');
  const portById = new Map(values(ports.ports).map((p) => [String(p.port_id), p]));
  const devices: SourceDevice[] = values(dev.devices).slice(0, 100_000).map((d) => ({
    key: String(d.device_id),
    name: s(d.sysName) ?? s(d.hostname) ?? `device ${d.device_id}`,
    ip: s(d.ip) ?? (/^\d+\.\d+\.\d+\.\d+$/.test(String(d.hostname)) ? String(d.hostname) : null),
    mac: null,
    type: s(d.type) ?? s(d.os),
    status: String(d.status) === '1' ? 'up' : String(d.status) === '0' ? 'down' : 'unknown',
    lat: n(d.location_lat),
    lng: n(d.location_lon),
  }));
  const links: SourceLink[] = values(nb.neighbours)
    .filter((x) => String(x.active ?? '1') !== '0')
    .slice(0, 100_000)
    .map((x) => {
      const lp = portById.get(String(x.port_id));
      const rp = x.remote_port_id ? portById.get(String(x.remote_port_id)) : undefined;
      const local = s(x.device_id) ?? s(lp?.device_id);
      const remote = rp ? s(rp.device_id) : null;
      const sp = n(lp?.ifSpeed);
      return {
        a: local ?? '',
        b: remote,
        bName: s(x.remote_hostname),
        aInterface: s(lp?.ifName) ?? s(lp?.ifDescr),
        bInterface: s(rp?.ifName) ?? s(x.remote_port),
        speedBps: sp,
        protocol: s(x.protocol),
      };
    })
    .filter((l) => l.a !== '');
  return { version: null, devices, links };
}
