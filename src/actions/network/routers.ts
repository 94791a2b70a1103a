import { z } from 'zod';
import { defineAction } from '../../gateway/action';
import { blank, id, optionalBool, optionalInt, optionalText, text } from '../../gateway/fields';
import { createRouter, deleteRouter, getRouters, listRoutersUi, switchRouter, updateRouter } from '../../services/network/routers';
import { routerWithSnmp, snmpFields } from '../../services/monitoring/snmp-settings';

const port = optionalInt(1, 65535);
const mode = z.preprocess(blank, z.enum(['radius', 'api']).optional());
/** Secrets are taken as typed. RADIUS shared secrets longer than 60 do not fit FreeRADIUS's nas.secret. */
const secret = (max: number) => z.string().min(1).max(max);

export const addRouter = defineAction({
  name: 'add_router',
  section: 'routers',
  summary: 'Add a MikroTik router (management IP, API credentials, RADIUS NAS IP and secret, CoA port, mode)',
  input: z.object({
    ip: text(45),
    name: text(100),
    user: text(64),
    pass: secret(255),
    port,
    tls: optionalBool,
    radius_ip: optionalText(45),
    radius_secret: secret(60),
    coa_port: port,
    mode,
    ...snmpFields,
  }),
  permission: 'routers.write',
  rateClass: 'standard',
  run: (ctx, input) => routerWithSnmp(ctx, input, undefined, (rest) => createRouter(ctx, rest)),
});

export const editRouter = defineAction({
  name: 'edit_router',
  section: 'routers',
  summary: 'Update a router; its FreeRADIUS nas row follows',
  input: z.object({
    id,
    ip: optionalText(45),
    name: optionalText(100),
    user: optionalText(64),
    pass: z.preprocess(blank, secret(255).optional()),
    port,
    tls: optionalBool,
    radius_ip: optionalText(45),
    radius_secret: z.preprocess(blank, secret(60).optional()),
    coa_port: port,
    mode,
    ...snmpFields,
  }),
  permission: 'routers.write',
  rateClass: 'standard',
  run: (ctx, { id: routerId, ...rest }) => routerWithSnmp(ctx, rest, routerId, (r) => updateRouter(ctx, routerId, r)),
});

export const deleteRouterAction = defineAction({
  name: 'delete_router',
  section: 'routers',
  summary: 'Remove a router, its NAS row and what ispgate provisioned on it, as a job (reply carries job_id; force=1 when it cannot be reached)',
  input: z.object({ id, force: optionalBool }),
  permission: 'routers.write',
  rateClass: 'standard',
  run: (ctx, input) => deleteRouter(ctx, input.id, input.force ?? false),
});

export const getRoutersAction = defineAction({
  name: 'get_routers',
  section: 'routers',
  summary: 'All routers with the connection status the probe job stored (online, offline, auth_failed, unknown) and when it was checked',
  input: z.object({}).passthrough(),
  permission: 'routers.read',
  rateClass: 'standard',
  methods: ['GET', 'POST'],
  run: (ctx) => getRouters(ctx),
});

export const listRoutersUiAction = defineAction({
  name: 'list_routers_ui',
  section: 'routers',
  summary: 'Routers with uptime, version, CPU and RAM from /system/resource',
  input: z.object({}).passthrough(),
  permission: 'routers.read',
  rateClass: 'standard',
  methods: ['GET', 'POST'],
  run: (ctx) => listRoutersUi(ctx),
});

export const switchRouterAction = defineAction({
  name: 'switch_router',
  section: 'routers',
  summary: 'Set the active router for this session or API key (id or name; empty clears it)',
  input: z.object({ id: optionalText(100), router: optionalText(100) }),
  permission: 'routers.read',
  rateClass: 'standard',
  run: (ctx, input) => switchRouter(ctx, input.id ?? input.router ?? null),
});

export const routerActions = [addRouter, editRouter, deleteRouterAction, getRoutersAction, listRoutersUiAction, switchRouterAction];
