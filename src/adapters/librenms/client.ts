/**
 * LibreNMS API v0: X-Auth-Token header; {"status":"ok",…} envelopes, {"status":"error","message"} errors, 401
 * {"message":"Unauthenticated."} for a bad token. Numbers may come as strings (old routes) or ints (links).
 * Devices from /api/v0/devices, links (LLDP/CDP/…) from /api/v0/resources/links, port names and speeds from
 * /api/v0/ports, the version from /api/v0/system.
 */
import { authFailed, httpJson, joinUrl, unreachable } from './http';
import type { SourceConfig, SourceDevice, SourceLink, SourceSnapshot } from './types';

const WHAT = 'LibreNMS';
type Obj = Record<string, unknown>;
const s = (v: unknown) => (v === undefined || v === null || v === '' ? null : String(v));
const n = (v: unknown) => (v === undefined || v === null || v === '' || Number.isNaN(Number(v)) ? null : Number(v));

async function get(cfg: SourceConfig, path: string): Promise<Obj> {
  if (!cfg.token) throw authFailed(WHAT, 'no API token was given (token)');
  const r = await httpJson(WHAT, joinUrl(cfg.url, path), { headers: { 'X-Auth-Token': cfg.token }, verifyTls: cfg.verifyTls, timeoutMs: cfg.timeoutMs });
  const body = (r.json ?? {}) as Obj;
  if (r.status === 401 || r.status === 403) throw authFailed(WHAT, String(body.message ?? `HTTP ${r.status}`));
  if (r.status !== 200 || body.status !== 'ok') throw unreachable(WHAT, `${path} answered HTTP ${r.status} ${String(body.message ?? '').slice(0, 200)}`.trim());
  return body;
}

export async function librenmsVersion(cfg: SourceConfig): Promise<string | null> {
  try {
    const body = await get(cfg, '/api/v0/system');
    const sys = Array.isArray(body.system) ? (body.system[0] as Obj) : null;
    return s(sys?.local_ver);
  } catch {
    return null;
  }
}

export async function librenmsTest(cfg: SourceConfig): Promise<{ version: string | null; device_count: number }> {
  const devices = await get(cfg, '/api/v0/devices');
  const list = Array.isArray(devices.devices) ? devices.devices : [];
  return { version: await librenmsVersion(cfg), device_count: n(devices.count) ?? list.length };
}

export async function librenmsFetch(cfg: SourceConfig): Promise<SourceSnapshot> {
  const dev = await get(cfg, '/api/v0/devices');
  const links = await get(cfg, '/api/v0/resources/links');
  const ports = await get(cfg, '/api/v0/ports?columns=port_id,device_id,ifName,ifSpeed,ifHighSpeed');
  const portById = new Map<string, Obj>(((ports.ports as Obj[]) ?? []).map((p) => [String(p.port_id), p]));
  const devices: SourceDevice[] = ((dev.devices as Obj[]) ?? []).slice(0, 100_000).map((d) => ({
    key: String(d.device_id),
    name: s(d.sysName) ?? s(d.hostname) ?? `device ${d.device_id}`,
    ip: s(d.ip) ?? (/^\d+\.\d+\.\d+\.\d+$/.test(String(d.hostname)) ? String(d.hostname) : null),
    mac: null,
    type: s(d.type) ?? s(d.os),
    status: String(d.status) === '1' || d.status === true ? 'up' : String(d.status) === '0' || d.status === false ? 'down' : 'unknown',
    lat: n(d.lat),
    lng: n(d.lng),
  }));
  const speed = (p: Obj | undefined) => {
    if (!p) return null;
    const hs = n(p.ifHighSpeed);
    return hs !== null ? hs * 1_000_000 : n(p.ifSpeed);
  };
  const out: SourceLink[] = ((links.links as Obj[]) ?? []).slice(0, 100_000).map((l) => {
    const lp = portById.get(String(l.local_port_id));
    const rp = portById.get(String(l.remote_port_id));
    const remote = n(l.remote_device_id);
    return {
      a: String(l.local_device_id),
      b: remote ? String(remote) : null,
      bName: s(l.remote_hostname),
      aInterface: s(lp?.ifName),
      bInterface: s(rp?.ifName) ?? s(l.remote_port),
      speedBps: speed(lp) ?? speed(rp),
      protocol: s(l.protocol),
    };
  });
  return { version: await librenmsVersion(cfg), devices, links: out };
}
