import { z } from 'zod';
import { defineAction } from '../../gateway/action';
import { blank, id, optionalBool, optionalText, Page, page, perPage, text, strictInt } from '../../gateway/fields';
import { listTunnels, provisionTunnel, revokeTunnel, tunnelConfig } from '../../services/network/wireguard';


export const wireguardProvision = defineAction({
  name: 'wireguard_provision',
  section: 'wireguard',
  summary:
    'Provision a WireGuard tunnel for a subscriber (username) or a site (name): keys, an address from a wireguard pool, the peer on an api-mode router; returns the wg-quick config and a QR code',
  input: z.object({
    username: optionalText(64),
    name: optionalText(100),
    router: id,
    pool: text(64),
    interface: z.preprocess(blank, z.string().trim().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'an interface name of letters, digits, "_", "-", "."').optional()),
    listen_port: z.preprocess(blank, z.preprocess(strictInt, z.number().int().min(1).max(65535)).optional()),
    allowed_ips: optionalText(1000),
    dns: optionalText(255),
    endpoint: z.preprocess(blank, z.string().trim().max(255).regex(/^[A-Za-z0-9.\-:[\]]+$/, 'a host name or address, optionally with :port').optional()),
    keepalive: z.preprocess(blank, z.preprocess(strictInt, z.number().int().min(0).max(65535)).optional()),
    preshared_key: optionalBool,
  }),
  permission: 'wireguard.write',
  rateClass: 'standard',
  run: (ctx, input) => provisionTunnel(ctx, input),
});

export const wireguardConfig = defineAction({
  name: 'wireguard_config',
  section: 'wireguard',
  summary: 'The wg-quick config and QR code of a tunnel again',
  input: z.object({ id }),
  permission: 'wireguard.write',
  rateClass: 'standard',
  methods: ['GET', 'POST'],
  run: (ctx, input) => tunnelConfig(ctx, input.id),
});

export const wireguardList = defineAction({
  name: 'wireguard_list',
  section: 'wireguard',
  summary: 'WireGuard tunnels (no keys), filtered by subscriber, router and status',
  input: z.object({
    username: optionalText(64),
    router: z.preprocess(blank, id.optional()),
    status: z.preprocess(blank, z.enum(['active', 'revoked']).optional()),
    page,
    per_page: perPage(100, 25),
  }),
  permission: 'wireguard.read',
  rateClass: 'standard',
  methods: ['GET', 'POST'],
  async run(ctx, input) {
    const { total, items } = await listTunnels(ctx, input);
    return Page.of(items, input.page, input.per_page, total);
  },
});

export const wireguardRevoke = defineAction({
  name: 'wireguard_revoke',
  section: 'wireguard',
  summary: 'Remove the peer from the router and free the address (force=1 when the router cannot be reached)',
  input: z.object({ id, force: optionalBool }),
  permission: 'wireguard.write',
  rateClass: 'standard',
  run: (ctx, input) => revokeTunnel(ctx, input.id, input.force ?? false),
});

export const wireguardActions = [wireguardProvision, wireguardConfig, wireguardList, wireguardRevoke];
