/**
 * WireGuard tunnels: one call makes a key pair, takes an address from a `wireguard` pool, puts the peer on an
 * api-mode RouterOS v7 router, and hands back the client's wg-quick config and its QR code.
 *
 * Order (no router call inside a transaction): (1) a transaction reserves the address with a `provisioning` row;
 * (2) the router steps run, each with its undo (interface if missing, gateway address, peer); (3) the row becomes
 * `active`. If (2) fails, its undos run and the row is deleted, so the address is free again. The client private key
 * and the preshared key are sealed with APP_KEY: `wireguard_config` can give the same config out again.
 */
import { requireCustomer } from './customers';
import { isIPv4 } from 'node:net';
import { RouterLink } from '../../adapters/routeros/session';
import { addWgPeer, ensureInterfaceAddress, ensureWgInterface, removeWgPeer } from '../../adapters/routeros/wireguard';
import { generateWgKeypair, wgGenPsk } from '../../adapters/wireguard/keys';
import { renderClientConfig } from '../../adapters/wireguard/config';
import { nowUtc, toIso } from '../../db/knex';
import { AppError, errors, isAppError } from '../../errors';
import type { Actor } from '../../domain/actor';
import { parseCidr4 } from '../../domain/ip-ranges';
import { allocateFromPool, requirePool } from './ipam';
import { requireRouter, routerConnection, type Db, type NetCtx, type RouterRowDb } from './common';

export const WG_DEFAULT_INTERFACE = 'wg-ispgate';
export const WG_DEFAULT_PORT = 13231;

interface TunnelRow {
  id: number;
  customer_id: number | null;
  name: string;
  router_id: number | null;
  pool: string;
  interface: string;
  address: string | null;
  revoked_address: string | null;
  public_key: string;
  private_key_enc: string;
  preshared_key_enc: string | null;
  server_public_key: string;
  endpoint: string;
  allowed_ips: string;
  dns: string | null;
  keepalive: number | null;
  status: 'provisioning' | 'active' | 'revoked';
  created_by: string | null;
  created_at: string;
  revoked_at: string | null;
}

export interface ProvisionInput {
  username?: string;
  name?: string;
  router: number;
  pool: string;
  interface?: string;
  listen_port?: number;
  allowed_ips?: string;
  dns?: string;
  endpoint?: string;
  keepalive?: number;
  preshared_key?: boolean;
}

type WgCtx = Pick<NetCtx, 'db' | 'secrets' | 'config' | 'log'> & { actor?: Actor };

const mark = (id: number) => `ispgate:wireguard:${id}`;

function publicTunnel(r: TunnelRow) {
  return {
    id: r.id,
    name: r.name,
    customer_id: r.customer_id,
    router_id: r.router_id,
    pool: r.pool,
    interface: r.interface,
    address: r.address ?? r.revoked_address,
    public_key: r.public_key,
    server_public_key: r.server_public_key,
    endpoint: r.endpoint,
    allowed_ips: r.allowed_ips,
    dns: r.dns,
    keepalive: r.keepalive,
    preshared_key: Boolean(r.preshared_key_enc),
    status: r.status,
    created_at: toIso(r.created_at),
    revoked_at: toIso(r.revoked_at),
  };
}

async function withConfig(ctx: Pick<NetCtx, 'secrets'>, r: TunnelRow) {
  const config = renderClientConfig({
    privateKey: ctx.secrets.decrypt(r.private_key_enc),
    address: `${r.address ?? r.revoked_address}/32`,
    dns: r.dns ? r.dns.split(',').map((s) => s.trim()).filter(Boolean) : [],
    serverPublicKey: r.server_public_key,
    presharedKey: r.preshared_key_enc ? ctx.secrets.decrypt(r.preshared_key_enc) : null,
    endpoint: r.endpoint,
    allowedIps: r.allowed_ips,
    keepalive: r.keepalive,
  });
  const { default: QRCode } = await import('qrcode'); // loaded when first needed
  const qr_code = await QRCode.toDataURL(config, { errorCorrectionLevel: 'M', margin: 2 });
  return { ...publicTunnel(r), config, qr_code };
}

function normaliseAllowedIps(v: string): string {
  const parts = v.split(',').map((s) => s.trim()).filter(Boolean);
  if (parts.length === 0 || parts.length > 32) throw errors.invalid('allowed_ips', 'Give 1 to 32 networks, comma-separated, like 0.0.0.0/0, ::/0.');
  for (const p of parts) {
    const [ip, len, extra] = p.split('/');
    const max = isIPv4(ip) ? 32 : /^[0-9a-fA-F:]+$/.test(ip) && ip.includes(':') ? 128 : -1;
    if (max < 0 || extra !== undefined || len === undefined || !/^\d{1,3}$/.test(len) || Number(len) > max) {
      throw errors.invalid('allowed_ips', `"${p}" is not a network like 10.0.0.0/8 or ::/0.`);
    }
  }
  return parts.join(', ');
}

function endpointOf(given: string | undefined, routerIp: string, port: number): string {
  if (!given) return `${routerIp}:${port}`;
  if (/^\[.+\]:\d{1,5}$/.test(given) || /^[^:]+:\d{1,5}$/.test(given)) return given;
  if (given.includes(':')) return `[${given}]:${port}`;
  return `${given}:${port}`;
}

async function requireTunnel(db: Db, id: number): Promise<TunnelRow> {
  const r = await db<TunnelRow>('wireguard_tunnels').where({ id }).first();
  if (!r || r.status === 'provisioning') throw new AppError('tunnel_not_found', `No WireGuard tunnel with id ${id}. wireguard_list lists them.`, 404);
  return r;
}

export async function provisionTunnel(ctx: WgCtx, input: ProvisionInput) {
  if ((input.username ? 1 : 0) + (input.name ? 1 : 0) !== 1) {
    throw new AppError('missing_username', 'Give either username (a subscriber) or name (a site), not both.', 422, { details: { username: 'username or name required' } });
  }
  const router = await requireRouter(ctx.db, input.router);
  if (router.mode !== 'api') {
    throw new AppError('router_not_api_mode', `Router "${router.name}" is in radius mode; WireGuard peers are pushed over the RouterOS API.`, 422, { details: { router: 'not api mode' } });
  }
  const pool = await requirePool(ctx.db, input.pool);
  if (pool.type !== 'wireguard' || pool.family !== 4) {
    throw new AppError('invalid_pool', `Pool "${pool.name}" is a ${pool.type} pool; tunnels take addresses from a pool of type wireguard.`, 422, { details: { pool: 'not a wireguard pool' } });
  }
  if (pool.routers.length > 0 && !pool.routers.includes(router.id)) {
    throw new AppError('invalid_pool', `Pool "${pool.name}" does not belong to router "${router.name}".`, 422, { details: { pool: 'not on this router' } });
  }
  let customerId: number | null = null;
  let name = input.name ?? '';
  if (input.username) {
    const c = await requireCustomer(ctx.db, { username: input.username });
    customerId = c.id;
    name = c.username;
  }
  const allowedIps = normaliseAllowedIps(input.allowed_ips ?? '0.0.0.0/0, ::/0');
  const dns = input.dns !== undefined ? input.dns.split(',').map((s) => s.trim()).filter(Boolean) : pool.dns;
  const badDns = dns.find((d) => !isIPv4(d) && !/^[0-9a-fA-F:]+$/.test(d));
  if (badDns || dns.length > 4) throw errors.invalid('dns', 'DNS takes up to 4 IP addresses, comma-separated.');
  const iface = input.interface ?? WG_DEFAULT_INTERFACE;
  const listenPort = input.listen_port ?? WG_DEFAULT_PORT;
  const keepalive = input.keepalive ?? 25;
  const keys = generateWgKeypair();
  const psk = input.preshared_key ? wgGenPsk() : null;

  // (1) Reserve the address. The unique index on address settles a race between two provisions.
  const tunnelId = await ctx.db.transaction(async (trx) => {
    const address = await allocateFromPool(trx, pool.name);
    const [id] = await trx('wireguard_tunnels').insert({
      customer_id: customerId,
      name,
      router_id: router.id,
      pool: pool.name,
      interface: iface,
      address,
      public_key: keys.publicKey,
      private_key_enc: ctx.secrets.encrypt(keys.privateKey),
      preshared_key_enc: psk ? ctx.secrets.encrypt(psk) : null,
      server_public_key: '',
      endpoint: '',
      allowed_ips: allowedIps,
      dns: dns.length > 0 ? dns.join(', ') : null,
      keepalive: keepalive || null,
      status: 'provisioning',
      created_by: ctx.actor?.username ?? ctx.actor?.type ?? 'system',
      created_at: nowUtc(),
    });
    return Number(id);
  });
  const reserved = (await ctx.db<TunnelRow>('wireguard_tunnels').where({ id: tunnelId }).first())!;

  // (2) The router, as steps with undo.
  const link = new RouterLink(routerConnection(ctx, router));
  const undos: (() => Promise<void>)[] = [];
  let serverKey: string;
  let port: number;
  try {
    const i = await ensureWgInterface(link, iface, listenPort);
    undos.push(i.undo);
    serverKey = i.publicKey;
    port = i.listenPort;
    const cidr = pool.cidr ? parseCidr4(pool.cidr) : null;
    if (pool.gateway) undos.push(await ensureInterfaceAddress(link, iface, `${pool.gateway}/${cidr?.prefix ?? 32}`));
    const peer = await addWgPeer(link, { iface, publicKey: keys.publicKey, allowedAddress: `${reserved.address}/32`, presharedKey: psk, comment: mark(tunnelId) });
    undos.push(peer.undo);
  } catch (e) {
    for (const undo of undos.reverse()) {
      await undo().catch((ue) => ctx.log.warn('wireguard provision: an undo failed', { router_id: router.id, error: (ue as Error)?.message }));
    }
    await ctx.db('wireguard_tunnels').where({ id: tunnelId }).delete();
    throw e;
  } finally {
    await link.close().catch(() => undefined);
  }

  // (3) Active.
  const endpoint = endpointOf(input.endpoint, router.ip, port);
  await ctx.db('wireguard_tunnels').where({ id: tunnelId }).update({ status: 'active', server_public_key: serverKey, endpoint });
  return withConfig(ctx, (await ctx.db<TunnelRow>('wireguard_tunnels').where({ id: tunnelId }).first())!);
}

export async function tunnelConfig(ctx: Pick<NetCtx, 'db' | 'secrets'>, id: number) {
  const r = await requireTunnel(ctx.db, id);
  if (r.status !== 'active') throw new AppError('tunnel_revoked', `WireGuard tunnel ${id} was revoked; provision a new one.`, 409);
  return withConfig(ctx, r);
}

export async function listTunnels(
  ctx: Pick<NetCtx, 'db'>,
  f: { username?: string; router?: number; status?: 'active' | 'revoked'; page: number; per_page: number },
) {
  const base = () => {
    const q = ctx.db<TunnelRow>('wireguard_tunnels').whereNot({ status: 'provisioning' });
    if (f.status) q.where({ status: f.status });
    if (f.router) q.where({ router_id: f.router });
    if (f.username) q.whereIn('customer_id', ctx.db('customers').where({ username: f.username }).select('id'));
    return q;
  };
  const [{ n }] = await base().count({ n: '*' });
  const rows = await base().orderBy('id').limit(f.per_page).offset((f.page - 1) * f.per_page);
  return { total: Number(n), items: rows.map(publicTunnel) };
}

/**
 * Removes the peer from the router, then frees the address. With `force`, a router that cannot be reached (or is
 * gone) is left as it was and the tunnel is revoked here only; the reply says so.
 */
export async function revokeTunnel(ctx: WgCtx, id: number, force = false) {
  const r = await requireTunnel(ctx.db, id);
  if (r.status === 'revoked') throw new AppError('tunnel_revoked', `WireGuard tunnel ${id} is already revoked.`, 409);
  const router: RouterRowDb | undefined = r.router_id ? await ctx.db<RouterRowDb>('routers').where({ id: r.router_id }).first() : undefined;
  let removedFromRouter = false;
  if (router) {
    const link = new RouterLink(routerConnection(ctx, router));
    try {
      removedFromRouter = (await removeWgPeer(link, mark(id))) > 0;
    } catch (e) {
      if (!force || !isAppError(e) || e.code !== 'router_unreachable') throw e;
      ctx.log.warn('wireguard tunnel revoked without router clean-up (force)', { tunnel_id: id, router_id: router.id });
    } finally {
      await link.close().catch(() => undefined);
    }
  }
  await ctx.db('wireguard_tunnels').where({ id }).update({ status: 'revoked', revoked_at: nowUtc(), revoked_address: r.address, address: null });
  return { ...publicTunnel((await ctx.db<TunnelRow>('wireguard_tunnels').where({ id }).first())!), removed_from_router: removedFromRouter };
}

/** A subscriber's delete revokes their tunnels first (router calls, outside any transaction). */
export async function revokeCustomerTunnels(ctx: WgCtx, customerId: number, force = false): Promise<number> {
  const rows = await ctx.db<TunnelRow>('wireguard_tunnels').where({ customer_id: customerId, status: 'active' }).select('id');
  for (const r of rows) await revokeTunnel(ctx, r.id, force);
  return rows.length;
}
