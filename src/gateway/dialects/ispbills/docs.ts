/**
 * What the ISPBills OpenAPI document says about each route: summary, query parameters, body and reply shape. The
 * router (./index.ts) registers every route through the route table with its entry here and refuses to start when a
 * route has none, so `/openapi/ispbills.json` lists exactly the routes that answer. The bodies are parsed by the
 * handlers themselves (ISPBills' own field names, then the action's zod schema); these schemas describe them.
 */
import { z } from 'zod';

export type ReplyKind = 'data' | 'page' | 'none' | 'file' | 'token';

export interface RouteDoc {
  summary: string;
  description?: string;
  query?: z.ZodObject;
  request?: z.ZodType;
  /** Reply shape: `{data}`, `{data: [], meta}`, 204, a file, or the token reply of the auth endpoints. */
  reply: ReplyKind;
  /** The success status when not 200 (201 created, 202 accepted, 204 no content). */
  status?: number;
  /** The item of `data` (or of the page's `data` array). */
  item?: z.ZodType;
  errors?: Record<number, string>;
}

export const errorSchema = z.object({
  error: z.object({
    code: z.string().describe('VALIDATION_ERROR, UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, TOO_MANY_REQUESTS …'),
    message: z.string(),
    details: z.record(z.string(), z.array(z.string())).describe('Per-field messages (422)'),
  }),
});

export const metaSchema = z.object({ current_page: z.number().int(), per_page: z.number().int(), total: z.number().int(), last_page: z.number().int() });

const pageQuery = { page: z.number().int().min(1).optional().describe('Page number (default 1)'), per_page: z.number().int().min(1).max(100).optional().describe('Items per page (default 20, at most 100)') };
const paged = (extra: Record<string, z.ZodType> = {}) => z.object({ ...pageQuery, ...extra });
const routerQuery = { router_id: z.number().int().min(1).optional().describe('One router (default: every api-mode router, or the first router for logs)') };

const customerIn = z.object({
  name: z.string().max(100),
  email: z.string().email().optional(),
  phone: z.string().max(32).optional(),
  package_id: z.number().int().optional(),
  address: z.string().max(255).optional(),
  connection_type: z.string().max(32).optional().describe('pppoe, fiber, hotspot …'),
  onu_mac: z.string().max(32).optional(),
  username: z.string().max(64).optional().describe('PPPoE username (default: made from the phone or e-mail)'),
  password: z.string().max(64).optional().describe('PPPoE password (default: random)'),
});
const customerOut = z.looseObject({ id: z.number().int(), name: z.string(), email: z.string().nullable(), phone: z.string().nullable(), status: z.string(), created_at: z.string().nullable() });
const billOut = z.looseObject({ id: z.number().int(), customer_id: z.number().int(), amount: z.number(), currency: z.string(), status: z.string(), due_date: z.string().nullable() });
const deviceOut = z.looseObject({
  id: z.number().int(),
  name: z.string(),
  ip: z.string().nullable(),
  type: z.string(),
  vendor: z.string().nullable(),
  status: z.enum(['online', 'offline', 'unknown']).describe('From the last SNMP poll; unknown when the device has no SNMP settings or was not polled yet'),
  last_seen: z.string().nullable(),
});
const smsSend = z.object({ phone: z.string().max(32), message: z.string().max(1600) });
const operatorIn = z.object({ name: z.string().max(100), email: z.string().email().optional(), phone: z.string().max(32).optional() });
const webhookIn = z.object({ url: z.string().url(), events: z.array(z.enum(['customer.created', 'customer.suspended', 'customer.activated', 'payment.received', 'bill.generated', 'complaint.created'])), active: z.boolean().optional() });

const zabbixMissing = { 404: 'No Zabbix source is configured (save_topology_metrics_source source=zabbix)', 502: 'Zabbix did not answer or refused the credentials' };
const smsErrors = { 409: 'No SMS gateway is configured (save_sms_settings)', 422: 'Validation failed', 502: 'The SMS gateway did not answer' };
const smsBalanceErrors = { 409: 'No SMS gateway is configured (save_sms_settings)', 501: 'The provider reports no balance', 502: 'The SMS gateway did not answer' };
const routerDown = { 404: 'No such router', 502: 'The router did not answer on the RouterOS API' };

/** Keyed `METHOD /api/…` as the router registers them. */
export const ISPBILLS_DOCS: Record<string, RouteDoc> = {
  // ---- authentication
  'POST /api/auth/login': { summary: 'v1: sign in with an admin e-mail and password; access and refresh tokens', reply: 'token', request: z.object({ email: z.string().email(), password: z.string(), code: z.string().optional().describe('2FA code when the admin has 2FA') }), errors: { 401: 'Wrong e-mail or password', 422: 'Missing e-mail or password' } },
  'POST /api/auth/refresh': { summary: 'v1: exchange a refresh token for a new pair (each refresh token works once)', reply: 'token', request: z.object({ refresh_token: z.string() }), errors: { 401: 'Refresh token not valid, expired or used', 422: 'Missing refresh_token' } },
  'POST /api/v2/auth/token': { summary: 'v2: client credentials (api_client_create dialect=ispbills) for a 30-minute access token', reply: 'token', request: z.object({ client_id: z.string(), client_secret: z.string() }), errors: { 401: 'Wrong client id or secret, or client revoked', 422: 'Missing client_id or client_secret' } },
  'POST /api/v2/auth/revoke': { summary: 'v2: revoke the access token sent', reply: 'none', status: 204 },

  // ---- dashboard, NOC
  'GET /api/v1/dashboard': { summary: 'Dashboard summary: subscribers, unpaid bills, payments this month, open complaints', reply: 'data' },
  'GET /api/v1/noc/dashboard': { summary: 'NOC dashboard: routers up/down, monitored devices reachable/unreachable, Zabbix problems, and the alerts behind them', reply: 'data' },

  // ---- customers
  'GET /api/v1/customers': { summary: 'List customers (paginated)', reply: 'page', item: customerOut, query: paged({ search: z.string().optional(), status: z.enum(['active', 'suspended']).optional(), package_id: z.number().int().optional() }) },
  'GET /api/v2/customers': { summary: 'List customers (paginated)', reply: 'page', item: customerOut, query: paged({ search: z.string().optional(), status: z.enum(['active', 'suspended']).optional(), package_id: z.number().int().optional() }) },
  'POST /api/v1/customers': { summary: 'Create a customer (provisioned in RADIUS like action=add)', reply: 'data', status: 201, item: customerOut, request: customerIn, errors: { 422: 'Validation failed' } },
  'POST /api/v2/customers': { summary: 'Create a customer (provisioned in RADIUS like action=add)', reply: 'data', status: 201, item: customerOut, request: customerIn, errors: { 422: 'Validation failed' } },
  'GET /api/v1/customers/:id': { summary: 'Retrieve a customer', reply: 'data', item: customerOut, errors: { 404: 'No such customer' } },
  'GET /api/v2/customers/:id': { summary: 'Retrieve a customer', reply: 'data', item: customerOut, errors: { 404: 'No such customer' } },
  'PUT /api/v2/customers/:id': { summary: 'Update a customer', reply: 'data', item: customerOut, request: customerIn.partial(), errors: { 404: 'No such customer', 422: 'Validation failed' } },
  'DELETE /api/v2/customers/:id': { summary: 'Delete a customer (force=1 also with invoices)', reply: 'none', status: 204, query: z.object({ force: z.enum(['1', 'true']).optional() }), errors: { 404: 'No such customer' } },
  'POST /api/v1/customers/:id/action': { summary: 'Suspend or activate a customer', reply: 'data', item: customerOut, request: z.object({ action: z.enum(['suspend', 'activate', 'reactivate']), reason: z.string().optional() }), errors: { 404: 'No such customer', 422: 'Unknown action' } },
  'GET /api/v2/customers/:id/bills': { summary: "A customer's bills", reply: 'page', item: billOut, query: paged(), errors: { 404: 'No such customer' } },
  'GET /api/v2/customers/:id/payments': { summary: "A customer's payments", reply: 'page', query: paged(), errors: { 404: 'No such customer' } },
  'GET /api/v2/customers/:id/subscriptions': { summary: "A customer's subscriptions", reply: 'page', query: paged(), errors: { 404: 'No such customer' } },
  'GET /api/v2/customers/:id/usage': { summary: "A customer's usage (RADIUS accounting totals)", reply: 'data', errors: { 404: 'No such customer' } },

  // ---- billing
  'GET /api/v1/invoices': { summary: 'List invoices', reply: 'page', item: billOut, query: paged({ customer_id: z.number().int().optional(), status: z.string().optional() }) },
  'GET /api/v1/bills': { summary: 'List bills', reply: 'page', item: billOut, query: paged({ customer_id: z.number().int().optional(), status: z.string().optional() }) },
  'GET /api/v2/billing/bills': { summary: 'List bills', reply: 'page', item: billOut, query: paged({ customer_id: z.number().int().optional(), status: z.string().optional() }) },
  'GET /api/v1/payments': { summary: 'List payments', reply: 'page', query: paged({ customer_id: z.number().int().optional() }) },
  'GET /api/v2/billing/payments': { summary: 'List payments', reply: 'page', query: paged({ customer_id: z.number().int().optional() }) },
  'GET /api/v1/subscriptions': { summary: 'List subscriptions', reply: 'page', query: paged() },
  'POST /api/v2/billing/bills': { summary: 'Create a bill (an invoice of one line; the amount includes VAT)', reply: 'data', status: 201, item: billOut, request: z.object({ customer_id: z.number().int(), amount: z.number(), currency: z.string().optional(), due_date: z.string().optional(), description: z.string().optional() }), errors: { 422: 'Validation failed' } },
  'GET /api/v2/billing/bills/:id': { summary: 'Retrieve a bill', reply: 'data', item: billOut, errors: { 404: 'No such bill' } },
  'PUT /api/v2/billing/bills/:id': { summary: "Update a bill's status (paid records the payment)", reply: 'data', item: billOut, request: z.object({ status: z.string(), method: z.string().optional(), paid_amount: z.number().optional(), transaction_id: z.string().optional(), reason: z.string().optional() }), errors: { 404: 'No such bill', 422: 'An issued bill keeps its amount' } },
  'DELETE /api/v2/billing/bills/:id': { summary: 'Delete a bill', reply: 'none', status: 204, errors: { 404: 'No such bill' } },

  // ---- packages, network, VPN
  'GET /api/v1/packages': { summary: 'List packages', reply: 'page', query: paged() },
  'GET /api/v2/packages': { summary: 'List packages', reply: 'page', query: paged() },
  'GET /api/v1/routers': { summary: 'List routers (passwords never returned)', reply: 'page', query: paged() },
  'GET /api/v2/network/routers': { summary: 'List routers (passwords never returned)', reply: 'page', query: paged() },
  'GET /api/v1/olts': { summary: 'List OLTs (inventory nodes of type olt) with their SNMP status', reply: 'page', item: deviceOut, query: paged() },
  'GET /api/v2/network/olts': { summary: 'List OLTs (inventory nodes of type olt) with their SNMP status', reply: 'page', item: deviceOut, query: paged() },
  'GET /api/v2/network/onus': { summary: 'List ONUs (inventory nodes of type onu, under their OLT) with their SNMP status', reply: 'page', item: deviceOut, query: paged({ olt_id: z.number().int().optional().describe('ONUs of one OLT') }), errors: { 404: 'No such OLT' } },
  'GET /api/v2/network/pools': { summary: 'List IP pools with usage', reply: 'page', query: paged() },
  'GET /api/v1/vpn/accounts': { summary: 'List VPN accounts (WireGuard tunnels)', reply: 'page', query: paged() },
  'GET /api/v2/vpn/accounts': { summary: 'List VPN accounts (WireGuard tunnels)', reply: 'page', query: paged() },
  'GET /api/v1/vpn/accounts/:account/config': { summary: 'Download a VPN config file', reply: 'file', errors: { 404: 'No such account' } },
  'GET /api/v2/vpn/accounts/:id/config': { summary: 'Download a VPN config file', reply: 'file', errors: { 404: 'No such account' } },

  // ---- monitoring
  'GET /api/v1/monitoring/ubiquiti': { summary: 'Ubiquiti devices (inventory vendor, or SNMP sysDescr) with their SNMP status', reply: 'page', item: deviceOut, query: paged() },
  'GET /api/v1/monitoring/cambium': { summary: 'Cambium devices (inventory vendor, or SNMP sysDescr) with their SNMP status', reply: 'page', item: deviceOut, query: paged() },
  'GET /api/v1/monitoring/access-logs': { summary: 'Device access logs: logins to the router (RouterOS log, topic account), newest first', reply: 'page', query: paged(routerQuery), errors: routerDown },
  'GET /api/v1/monitoring/onus': { summary: 'ONU list with SNMP status', reply: 'page', item: deviceOut, query: paged({ olt_id: z.number().int().optional() }), errors: { 404: 'No such OLT' } },
  'GET /api/v1/monitoring/status-checks': { summary: 'Infrastructure status checks: router liveness probes and SNMP polls', reply: 'page', query: paged({ status: z.enum(['up', 'down', 'unknown']).optional() }) },
  'GET /api/v2/monitoring/status-checks': { summary: 'Infrastructure status checks: router liveness probes and SNMP polls', reply: 'page', query: paged({ status: z.enum(['up', 'down', 'unknown']).optional() }) },
  'GET /api/v2/monitoring/devices': { summary: 'Device status overview: counts by type and vendor, online/offline/unknown', reply: 'data' },
  'GET /api/v1/monitoring/zabbix': { summary: 'Zabbix monitoring data: hosts by availability and the active problems', reply: 'data', errors: zabbixMissing },
  'GET /api/v2/monitoring/zabbix/hosts': { summary: 'Zabbix hosts with availability and problem count', reply: 'page', query: paged(), errors: zabbixMissing },
  'GET /api/v2/monitoring/zabbix/problems': { summary: 'Zabbix active problems, newest first', reply: 'page', query: paged({ severity: z.number().int().min(0).max(5).optional().describe('Minimum severity 0–5') }), errors: zabbixMissing },

  // ---- SMS
  'POST /api/v1/sms/send': { summary: 'Send an SMS', reply: 'data', request: smsSend, errors: smsErrors },
  'POST /api/v2/sms/send': { summary: 'Send an SMS to one recipient', reply: 'data', request: smsSend, errors: smsErrors },
  'POST /api/v2/sms/broadcast': { summary: 'Broadcast an SMS to many recipients (a job)', reply: 'data', status: 202, request: z.object({ phones: z.array(z.string().max(32)).max(1000), message: z.string().max(1600) }), errors: smsErrors },
  'GET /api/v1/sms/balance': { summary: 'SMS balance, where the provider reports it', reply: 'data', errors: smsBalanceErrors },
  'GET /api/v2/sms/balance': { summary: 'SMS balance, where the provider reports it', reply: 'data', errors: smsBalanceErrors },
  'GET /api/v1/sms/history': { summary: 'SMS delivery history', reply: 'page', query: paged({ status: z.string().optional() }) },

  // ---- operators, recharge cards
  'GET /api/v1/operators': { summary: 'List operators', reply: 'page', query: paged({ status: z.string().optional() }) },
  'POST /api/v1/operators': { summary: 'Create an operator', reply: 'data', status: 201, request: operatorIn, errors: { 422: 'Validation failed' } },
  'PUT /api/v1/operators/:id': { summary: 'Update an operator', reply: 'data', request: operatorIn.partial().extend({ status: z.string().optional() }), errors: { 404: 'No such operator' } },
  'POST /api/v1/operators/:id/suspend': { summary: 'Suspend an operator', reply: 'data', errors: { 404: 'No such operator' } },
  'POST /api/v1/operators/:id/fund': { summary: 'Add funds to an operator (once per reference)', reply: 'data', status: 201, request: z.object({ amount: z.number(), reference: z.string().optional(), transaction_id: z.string().optional(), note: z.string().optional() }), errors: { 404: 'No such operator', 422: 'Missing amount or reference' } },
  'GET /api/v1/recharge-cards': { summary: 'List recharge cards (PINs never returned)', reply: 'page', query: paged({ batch_id: z.number().int().optional(), status: z.string().optional() }) },

  // ---- logs
  'GET /api/v1/logs/router': { summary: "A router's log (RouterOS /log), newest first", reply: 'page', query: paged({ ...routerQuery, topics: z.string().optional() }), errors: routerDown },
  'GET /api/v1/logs/hotspot': { summary: 'Hotspot sessions (RouterOS /ip/hotspot/active) or users (type=users; passwords never returned)', reply: 'page', query: paged({ ...routerQuery, type: z.enum(['active', 'users']).optional() }), errors: routerDown },
  'GET /api/v1/logs/ppp-auth': { summary: 'PPP authentication log (RADIUS post-auth), newest first', reply: 'page', query: paged({ username: z.string().optional() }) },
  'GET /api/v1/logs/auto-suspension': { summary: 'Suspensions made by dunning, newest first', reply: 'page', query: paged() },

  // ---- webhooks
  'GET /api/v2/webhooks': { summary: 'List webhooks made through this API', reply: 'page', query: paged() },
  'POST /api/v2/webhooks': { summary: 'Create a webhook (the signing secret is shown once)', reply: 'data', status: 201, request: webhookIn, errors: { 422: 'Validation failed' } },
  'PUT /api/v2/webhooks/:id': { summary: 'Update a webhook', reply: 'data', request: webhookIn.partial(), errors: { 404: 'No such webhook' } },
  'DELETE /api/v2/webhooks/:id': { summary: 'Delete a webhook', reply: 'none', status: 204, errors: { 404: 'No such webhook' } },
};

const tokenSchema = z.object({ access_token: z.string(), token_type: z.literal('bearer'), expires_in: z.number().int(), refresh_token: z.string().optional() });

/** The reply schema a route's document shows. */
export function replySchema(d: RouteDoc): z.ZodType | undefined {
  const item = d.item ?? z.looseObject({});
  switch (d.reply) {
    case 'page': return z.object({ data: z.array(item), meta: metaSchema });
    case 'data': return z.object({ data: item });
    case 'token': return tokenSchema;
    default: return undefined;
  }
}
