/**
 * Topology: where devices and links come from (LibreNMS, Observium, Zabbix, or MikroTik's own neighbour
 * discovery on every api-mode router), merged with the routers and the inventory into nodes and links a map can
 * draw. A device is one node however many sources know it: the same IP or MAC is the same device. Devices a source
 * knows that the inventory does not are recorded as *pending* inventory nodes (the inventory's approval workflow
 * decides), never approved silently.
 * Sources are called after any database work and outside transactions, each with its own timeout; a source that
 * fails is reported in `sources` and the others still draw.
 */
import { nowUtc, toIso } from '../../db/knex';
import { AppError, isAppError } from '../../errors';
import { withRouter } from '../../adapters/routeros/session';
import { librenmsFetch, librenmsTest } from '../../adapters/librenms/client';
import { observiumFetch, observiumTest } from '../../adapters/observium/client';
import { zabbixFetch, zabbixTest } from '../../adapters/zabbix/client';
import type { SourceConfig, SourceSnapshot } from '../../adapters/librenms/types';
import { routerConnection, type RouterRowDb } from '../network/common';
import { listApprovedNodes, normMac, recordDiscoveredDevice } from './inventory-port';
import { mapLimit, type MonCtx } from './snmp';

export type SourceName = 'librenms' | 'observium' | 'zabbix' | 'mikrotik';

export interface SourceInput {
  source: SourceName;
  url?: string;
  token?: string;
  user?: string;
  password?: string;
  verify_tls?: boolean;
  poll_interval?: number;
  test?: boolean;
}

interface SourceRow {
  id: number;
  source: SourceName;
  url: string | null;
  token_enc: string | null;
  username: string | null;
  password_enc: string | null;
  verify_tls: number | boolean;
  poll_interval_s: number;
  last_poll_at: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

function publicSource(r: SourceRow) {
  return {
    id: r.id,
    source: r.source,
    url: r.url,
    token_set: Boolean(r.token_enc),
    user: r.username,
    password_set: Boolean(r.password_enc),
    verify_tls: Boolean(r.verify_tls),
    poll_interval: r.poll_interval_s,
    last_poll_at: toIso(r.last_poll_at),
    last_error: r.last_error,
    updated_at: toIso(r.updated_at),
  };
}

export function configOf(ctx: Pick<MonCtx, 'secrets' | 'config'>, r: Pick<SourceRow, 'url' | 'token_enc' | 'username' | 'password_enc' | 'verify_tls'>): SourceConfig {
  return {
    url: r.url ?? '',
    token: ctx.secrets.decryptOptional(r.token_enc),
    user: r.username,
    password: ctx.secrets.decryptOptional(r.password_enc),
    verifyTls: Boolean(r.verify_tls),
    timeoutMs: ctx.config.TOPOLOGY_TIMEOUT_MS,
  };
}

async function apiRouters(ctx: Pick<MonCtx, 'db'>): Promise<RouterRowDb[]> {
  return ctx.db<RouterRowDb>('routers').where({ mode: 'api' }).orderBy('id').limit(10_000);
}

/** MikroTik as a source: every api-mode router is a device, its /ip/neighbor rows (MNDP/CDP/LLDP) the links. */
async function mikrotikFetch(ctx: MonCtx): Promise<SourceSnapshot & { errors: Array<{ router_id: number; code: string }> }> {
  const routers = await apiRouters(ctx);
  const errors: Array<{ router_id: number; code: string }> = [];
  const snap: SourceSnapshot = { version: null, devices: [], links: [] };
  const seen = new Set<string>();
  const rows = await mapLimit(routers, 16, async (r) => {
    try {
      return await withRouter(routerConnection(ctx, r), (s) => s.write('/ip/neighbor/print'));
    } catch (e) {
      if (!isAppError(e)) throw e;
      errors.push({ router_id: r.id, code: e.code });
      return null;
    }
  });
  routers.forEach((r, i) => {
    snap.devices.push({ key: `router:${r.id}`, name: r.name, ip: r.ip, mac: null, type: 'router', status: rows[i] ? 'up' : 'down', lat: null, lng: null });
    for (const n of (rows[i] ?? []).slice(0, 10_000)) {
      const ip = n.address4 || (/^\d+\.\d+\.\d+\.\d+$/.test(n.address ?? '') ? n.address : null) || null;
      const mac = n['mac-address'] || null;
      const key = `nb:${normMac(mac) ?? ip ?? n.identity}`;
      if (!seen.has(key)) {
        seen.add(key);
        snap.devices.push({ key, name: n.identity || ip || mac || 'neighbour', ip, mac, type: n.board || n.platform || null, status: 'up', lat: null, lng: null });
      }
      snap.links.push({
        a: `router:${r.id}`,
        b: key,
        bName: n.identity || null,
        aInterface: (n.interface ?? '').split(',')[0] || null,
        bInterface: n['interface-name'] || null,
        speedBps: null,
        protocol: n['discovered-by'] || null,
      });
    }
  });
  return { ...snap, errors };
}

async function testMikrotik(ctx: MonCtx) {
  const r = await mikrotikFetch(ctx);
  const reachable = r.devices.filter((d) => d.type === 'router' && d.status === 'up').length;
  const total = r.devices.filter((d) => d.type === 'router').length;
  if (total > 0 && reachable === 0) throw new AppError('source_unreachable', 'None of the api-mode routers answered on the RouterOS API.', 502);
  return { version: null, device_count: r.devices.length, routers: total, routers_reachable: reachable };
}

function requireUrl(input: SourceInput) {
  if (input.source !== 'mikrotik' && !input.url) throw new AppError('missing_url', `A ${input.source} source needs url.`, 422);
}

export async function saveSource(ctx: MonCtx, input: SourceInput) {
  const cur = await ctx.db<SourceRow>('topology_sources').where({ source: input.source }).first();
  const url = input.url ?? cur?.url ?? undefined;
  requireUrl({ ...input, url });
  if (url && !/^https?:\/\//i.test(url)) throw new AppError('invalid_url', 'url must start with http:// or https://.', 422);
  if (input.source === 'librenms' && !input.token && !cur?.token_enc) throw new AppError('missing_token', 'LibreNMS needs an API token (token).', 422);
  if ((input.source === 'observium' || input.source === 'zabbix') && !input.token && !(input.user && input.password) && !cur?.token_enc && !(cur?.username && cur?.password_enc)) {
    throw new AppError('missing_token', `${input.source} needs a token, or user and password.`, 422);
  }
  const next = {
    url: url ?? null,
    token_enc: input.token !== undefined ? ctx.secrets.encrypt(input.token) : input.user !== undefined ? null : (cur?.token_enc ?? null),
    username: input.user !== undefined ? input.user : input.token !== undefined ? null : (cur?.username ?? null),
    password_enc: input.password !== undefined ? ctx.secrets.encrypt(input.password) : input.token !== undefined ? null : (cur?.password_enc ?? null),
    verify_tls: input.verify_tls ?? (cur ? Boolean(cur.verify_tls) : true),
    poll_interval_s: input.poll_interval ?? cur?.poll_interval_s ?? 300,
  };
  let found: Record<string, unknown> | null = null;
  if (input.test) {
    // Checked before anything is saved: a wrong URL or token never replaces a working one.
    const cfg = configOf(ctx, next);
    if (input.source === 'librenms') found = await librenmsTest(cfg);
    else if (input.source === 'observium') found = await observiumTest(cfg);
    else if (input.source === 'zabbix') found = await zabbixTest(cfg);
    else found = await testMikrotik(ctx);
  }
  const now = nowUtc();
  if (cur) await ctx.db('topology_sources').where({ id: cur.id }).update({ ...next, last_error: null, updated_at: now });
  else await ctx.db('topology_sources').insert({ ...next, source: input.source, created_at: now, updated_at: now });
  const row = (await ctx.db<SourceRow>('topology_sources').where({ source: input.source }).first())!;
  return { ...publicSource(row), ...(found ? { test: { ok: true, ...found } } : {}) };
}

export interface TopoNode {
  id: string;
  label: string;
  type: string;
  status: string;
  ip: string | null;
  mac: string | null;
  x: number | null;
  y: number | null;
  router_id: number | null;
  inventory_id: number | null;
  pending: boolean;
  sources: string[];
}

export interface TopoLink {
  id: string;
  source: string;
  target: string;
  source_interface: string | null;
  target_interface: string | null;
  speed_bps: number | null;
  protocol: string | null;
  origin: string;
}

/** Builds the map: routers and approved inventory first, then every source's devices merged onto them by IP or MAC. */
export async function getTopology(ctx: MonCtx, opts: { source?: SourceName; discover?: boolean } = {}) {
  const nodes = new Map<string, TopoNode>();
  const byIp = new Map<string, string>();
  const byMac = new Map<string, string>();
  const index = (n: TopoNode) => {
    if (n.ip && !byIp.has(n.ip)) byIp.set(n.ip, n.id);
    const m = normMac(n.mac);
    if (m && !byMac.has(m)) byMac.set(m, n.id);
  };
  const liveness = new Map((await ctx.db('router_liveness').select('router_id', 'state')).map((r) => [Number(r.router_id), String(r.state)]));
  for (const r of await ctx.db<RouterRowDb>('routers').orderBy('id').limit(10_000)) {
    const st = liveness.get(r.id);
    const n: TopoNode = { id: `router:${r.id}`, label: r.name, type: 'router', status: st === 'offline' ? 'down' : st === 'online' ? 'up' : 'unknown', ip: r.ip, mac: null, x: null, y: null, router_id: r.id, inventory_id: null, pending: false, sources: ['routers'] };
    nodes.set(n.id, n);
    index(n);
  }
  // An inventory node polled over SNMP is up or down as its last poll found it.
  const polled = new Map(
    (await ctx.db('snmp_devices').where({ kind: 'inventory' }).whereNotNull('reachable').select('ref_id', 'reachable')).map((d) => [Number(d.ref_id), Boolean(d.reachable)]),
  );
  for (const i of await listApprovedNodes(ctx)) {
    const existing = (i.ip && byIp.get(i.ip)) || (normMac(i.mac) && byMac.get(normMac(i.mac)!)) || null;
    if (existing) {
      const n = nodes.get(existing)!;
      n.inventory_id = i.id;
      n.mac = n.mac ?? i.mac;
      n.x = n.x ?? i.lng;
      n.y = n.y ?? i.lat;
      n.sources.push('inventory');
      index(n);
      continue;
    }
    const seen = polled.get(i.id);
    const status = seen === undefined ? 'unknown' : seen ? 'up' : 'down';
    const n: TopoNode = { id: `inventory:${i.id}`, label: i.name ?? i.ip ?? `node ${i.id}`, type: i.type ?? 'other', status, ip: i.ip, mac: i.mac, x: i.lng, y: i.lat, router_id: null, inventory_id: i.id, pending: false, sources: ['inventory'] };
    nodes.set(n.id, n);
    index(n);
  }

  const sourceRows = await ctx.db<SourceRow>('topology_sources').orderBy('id');
  const chosen = opts.source ? sourceRows.filter((s) => s.source === opts.source) : sourceRows;
  if (opts.source && chosen.length === 0) throw new AppError('source_not_configured', `No ${opts.source} source is saved; save_topology_metrics_source adds it.`, 404);
  const snaps = await Promise.all(
    chosen.map(async (s) => {
      try {
        const cfg = configOf(ctx, s);
        const snap =
          s.source === 'librenms' ? await librenmsFetch(cfg) : s.source === 'observium' ? await observiumFetch(cfg) : s.source === 'zabbix' ? await zabbixFetch(cfg) : await mikrotikFetch(ctx);
        return { row: s, snap, error: null as null | { code: string; message: string } };
      } catch (e) {
        if (!isAppError(e)) throw e;
        return { row: s, snap: null, error: { code: e.code, message: e.message } };
      }
    }),
  );

  const links: TopoLink[] = [];
  const discovered: Array<{ name: string; ip: string | null; mac: string | null; type: string | null; source: string }> = [];
  const report: Array<Record<string, unknown>> = [];
  for (const { row, snap, error } of snaps) {
    await ctx.db('topology_sources').where({ id: row.id }).update({ last_poll_at: nowUtc(), last_error: error?.code ?? null });
    if (!snap) {
      report.push({ source: row.source, ok: false, error: error!.code, message: error!.message });
      continue;
    }
    const local = new Map<string, string>();
    for (const d of snap.devices) {
      const hit = (d.ip && byIp.get(d.ip)) || (normMac(d.mac) && byMac.get(normMac(d.mac)!)) || (d.key.startsWith('router:') && nodes.has(d.key) ? d.key : null);
      if (hit) {
        const n = nodes.get(hit)!;
        if (!n.sources.includes(row.source)) n.sources.push(row.source);
        // A router's status is our own probe's; other nodes take what the source says.
        if (n.status === 'unknown' || !n.router_id) n.status = d.status;
        n.mac = n.mac ?? d.mac;
        n.x = n.x ?? d.lng;
        n.y = n.y ?? d.lat;
        index(n);
        local.set(d.key, hit);
        continue;
      }
      const n: TopoNode = { id: `${row.source}:${d.key}`, label: d.name, type: d.type ?? 'other', status: d.status, ip: d.ip, mac: d.mac, x: d.lng, y: d.lat, router_id: null, inventory_id: null, pending: true, sources: [row.source] };
      nodes.set(n.id, n);
      index(n);
      local.set(d.key, n.id);
      if (d.ip || d.mac) discovered.push({ name: d.name, ip: d.ip, mac: d.mac, type: d.type, source: row.source });
    }
    for (const l of snap.links) {
      const a = local.get(l.a);
      if (!a) continue;
      let b = l.b ? local.get(l.b) : undefined;
      if (!b && l.bName) {
        // A neighbour the source does not monitor: a node of its own, known only by name.
        const id = `${row.source}:name:${l.bName}`;
        if (!nodes.has(id)) nodes.set(id, { id, label: l.bName, type: 'other', status: 'unknown', ip: null, mac: null, x: null, y: null, router_id: null, inventory_id: null, pending: true, sources: [row.source] });
        b = id;
      }
      if (!b || a === b) continue;
      links.push({ id: `${row.source}:${links.length + 1}`, source: a, target: b, source_interface: l.aInterface, target_interface: l.bInterface, speed_bps: l.speedBps, protocol: l.protocol, origin: row.source });
    }
    report.push({ source: row.source, ok: true, version: snap.version, devices: snap.devices.length, links: snap.links.length, ...('errors' in snap ? { router_errors: (snap as { errors: unknown[] }).errors } : {}) });
  }

  // The same link seen from both ends (LLDP on both routers, or two sources) is drawn once.
  const seen = new Set<string>();
  const unique = links.filter((l) => {
    const k = [l.source, l.source_interface ?? '', l.target, l.target_interface ?? ''];
    const key = k[0] < k[2] ? k.join('|') : [k[2], k[3], k[0], k[1]].join('|');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });

  let created = 0;
  if (opts.discover !== false) {
    for (const d of discovered.slice(0, 5000)) if ((await recordDiscoveredDevice(ctx, d)) === 'created') created += 1;
  }
  return { nodes: [...nodes.values()], links: unique, sources: report, discovered: { candidates: discovered.length, pending_created: created } };
}

export async function listSources(ctx: Pick<MonCtx, 'db'>) {
  return (await ctx.db<SourceRow>('topology_sources').orderBy('id')).map(publicSource);
}

/** Reads every source whose poll_interval has passed since its last poll (discovery of pending inventory nodes). */
export async function pollDueSources(ctx: MonCtx, now = new Date()) {
  const rows = await ctx.db<SourceRow>('topology_sources').orderBy('id');
  const due = rows.filter((r) => !r.last_poll_at || new Date(String(r.last_poll_at).replace(' ', 'T') + 'Z').getTime() + r.poll_interval_s * 1000 <= now.getTime());
  const out: Array<Record<string, unknown>> = [];
  for (const r of due) {
    const t = await getTopology(ctx, { source: r.source });
    out.push({ source: r.source, ...t.sources[0], discovered: t.discovered });
  }
  return { polled: out };
}
