/**
 * Operations only the ISPBills front door needs (reads over existing tables, its own webhook shape). They are
 * actions in form — permission, rate class, input schema — so the dialect runs them through invokeAs exactly like
 * a process.php action (permission, budget, validation, audit), but they are not registered in process.php.
 */
import { z } from 'zod';
import { nowUtc, toIso } from '../../../db/knex';
import { AppError } from '../../../errors';
import { defineAction } from '../../action';
import { id, optionalId } from '../../fields';
import { createWebhook, updateWebhook } from '../../../services/core/webhooks';
import { SUSPEND_REASON } from '../../../services/billing/dunning';
import { routerLog } from '../../../services/network/router-logs';
import { NODE_TYPES } from '../../../services/network/inventory';
import { hotspotList } from '../../../services/network/hotspot';
import { deviceOverview, listDevices, statusChecks, type DeviceView } from '../../../services/monitoring/devices';
import { nocOverview } from '../../../services/monitoring/noc';
import { zabbixHosts, zabbixProblems, zabbixSummary } from '../../../services/monitoring/zabbix';
import { pageOf } from './envelope';
import { payment, subscription } from './shapes';
import { ISPBILLS_EVENTS, isIspbillsEvent, toOwnEvents, webhookOf, type IspbillsEvent } from './webhooks';

const pageFields = { page: z.number().int().min(1).max(1_000_000), per_page: z.number().int().min(1).max(100) };

export const listPayments = defineAction({
  name: 'ispbills_list_payments',
  section: 'payments',
  summary: 'Payments, newest first, optionally of one subscriber',
  input: z.object({ ...pageFields, customer_id: optionalId }),
  permission: 'payments.read',
  rateClass: 'standard',
  async run(ctx, input) {
    const base = () => {
      const q = ctx.db('payments as p').join('invoices as i', 'i.id', 'p.invoice_id');
      if (input.customer_id) q.where('p.customer_id', input.customer_id);
      return q;
    };
    const [{ n }] = await base().count({ n: '*' });
    const rows = await base().select('p.*', 'i.currency').orderBy('p.id', 'desc').limit(input.per_page).offset((input.page - 1) * input.per_page);
    return pageOf(rows.map((r) => payment({ ...r, created_at: toIso(r.created_at) })), input.page, input.per_page, Number(n));
  },
});

export const listSubscriptions = defineAction({
  name: 'ispbills_list_subscriptions',
  section: 'customers',
  summary: "Subscriptions: each subscriber's plan, price and state",
  input: z.object({ ...pageFields, customer_id: optionalId }),
  permission: 'customers.read',
  rateClass: 'standard',
  async run(ctx, input) {
    const base = () => (input.customer_id ? ctx.db('customers').where({ id: input.customer_id }) : ctx.db('customers'));
    if (input.customer_id && !(await base().first('id'))) throw new AppError('customer_not_found', `No subscriber with id ${input.customer_id}.`, 404);
    const [{ n }] = await base().whereNotNull('plan_id').count({ n: '*' });
    const rows = await base().whereNotNull('plan_id').orderBy('id').limit(input.per_page).offset((input.page - 1) * input.per_page);
    const plans = new Map((await ctx.db('plans').select('id', 'name', 'price_cents')).map((p) => [Number(p.id), p]));
    return pageOf(rows.map((c) => subscription({ ...c, activated_at: toIso(c.activated_at), created_at: toIso(c.created_at) }, plans.get(Number(c.plan_id)))), input.page, input.per_page, Number(n));
  },
});

export const customerUsage = defineAction({
  name: 'ispbills_customer_usage',
  section: 'radius',
  summary: "A subscriber's RADIUS accounting totals",
  input: z.object({ id }),
  permission: 'radius.read',
  rateClass: 'standard',
  async run(ctx, input) {
    const c = await ctx.db('customers').where({ id: input.id }).first('id', 'username');
    if (!c) throw new AppError('customer_not_found', `No subscriber with id ${input.id}.`, 404);
    const [t] = await ctx.db('radacct').where({ username: c.username }).select(
      ctx.db.raw('count(*) as sessions'),
      ctx.db.raw('coalesce(sum(acctinputoctets), 0) as upload'),
      ctx.db.raw('coalesce(sum(acctoutputoctets), 0) as download'),
      ctx.db.raw('coalesce(sum(acctsessiontime), 0) as seconds'),
      ctx.db.raw('max(acctstarttime) as last_start'),
    );
    const online = await ctx.db('radacct').where({ username: c.username }).whereNull('acctstoptime').count({ n: '*' });
    return {
      customer_id: c.id,
      sessions: Number(t.sessions),
      download_bytes: Number(t.download),
      upload_bytes: Number(t.upload),
      total_bytes: Number(t.download) + Number(t.upload),
      online_seconds: Number(t.seconds),
      online: Number(online[0].n) > 0,
      last_session_at: toIso(t.last_start),
    };
  },
});

export const dashboard = defineAction({
  name: 'ispbills_dashboard',
  section: 'customers',
  summary: 'Counts of subscribers, unpaid bills, payments this month and open tickets',
  input: z.object({}),
  permission: 'customers.read',
  rateClass: 'standard',
  async run(ctx) {
    const count = async (q: ReturnType<typeof ctx.db>) => Number(((await q.count({ n: '*' })) as unknown as Array<{ n: unknown }>)[0].n);
    const unpaid = await ctx.db('invoices').whereIn('status', ['unpaid', 'overdue']).select(ctx.db.raw('count(*) as n'), ctx.db.raw('coalesce(sum(total_cents - paid_cents), 0) as due'));
    const monthStart = nowUtc().slice(0, 7) + '-01';
    const paid = await ctx.db('payments').where('paid_on', '>=', monthStart).select(ctx.db.raw('coalesce(sum(amount_cents), 0) as s'));
    return {
      customers: { total: await count(ctx.db('customers')), active: await count(ctx.db('customers').where({ status: 'active' })), suspended: await count(ctx.db('customers').where({ status: 'suspended' })) },
      bills: { unpaid: Number(unpaid[0].n), due_amount: Number(unpaid[0].due) / 100 },
      payments: { this_month: Number(paid[0].s) / 100 },
      complaints: { open: await count(ctx.db('tickets').whereNotIn('status', ['resolved', 'closed'])) },
      routers: await count(ctx.db('routers')),
      packages: await count(ctx.db('plans')),
    };
  },
});

export const pppAuthLogs = defineAction({
  name: 'ispbills_ppp_auth_logs',
  section: 'radius',
  summary: 'PPP authentication attempts (radpostauth), newest first',
  input: z.object({ ...pageFields, username: z.string().max(64).optional() }),
  permission: 'radius.read',
  rateClass: 'standard',
  async run(ctx, input) {
    const base = () => (input.username ? ctx.db('radpostauth').where({ username: input.username }) : ctx.db('radpostauth'));
    const [{ n }] = await base().count({ n: '*' });
    const rows = await base().orderBy('id', 'desc').limit(input.per_page).offset((input.page - 1) * input.per_page).select('id', 'username', 'reply', 'authdate', 'class');
    return pageOf(rows.map((r) => ({ id: Number(r.id), username: r.username, result: r.reply === 'Access-Accept' ? 'accepted' : 'rejected', reply: r.reply, nas_class: r.class ?? null, created_at: toIso(r.authdate) })), input.page, input.per_page, Number(n));
  },
});

export const autoSuspensionLogs = defineAction({
  name: 'ispbills_auto_suspension_logs',
  section: 'customers',
  summary: 'Suspensions made by dunning (unpaid invoices past the grace period), newest first',
  input: z.object(pageFields),
  permission: 'customers.read',
  rateClass: 'standard',
  async run(ctx, input) {
    // The dunning run suspends through setCustomerStatus with its own reason; the outbox keeps every such event.
    const like = `%${JSON.stringify(SUSPEND_REASON).slice(1, -1)}%`;
    const base = () => ctx.db('outbox_events').where({ event: 'customer.suspended' }).where('payload', 'like', like);
    const [{ n }] = await base().count({ n: '*' });
    const rows = await base().orderBy('id', 'desc').limit(input.per_page).offset((input.page - 1) * input.per_page).select('id', 'payload', 'created_at');
    return pageOf(
      rows.map((r) => {
        const d = (JSON.parse(r.payload).data ?? {}) as Record<string, unknown>;
        return { id: Number(r.id), customer_id: d.id ?? null, username: d.username ?? null, reason: d.reason ?? null, suspended_at: toIso(r.created_at) };
      }),
      input.page,
      input.per_page,
      Number(n),
    );
  },
});

const eventList = z
  .array(z.string().max(64))
  .min(1)
  .max(6)
  .refine((l) => l.every(isIspbillsEvent), { message: `The events must be among: ${Object.keys(ISPBILLS_EVENTS).join(', ')}.` });
const url = z.string().trim().url().max(2048).refine((u) => /^https?:\/\//i.test(u), 'must be an http or https URL');

export const webhookCreate = defineAction({
  name: 'ispbills_webhook_create',
  section: 'webhooks',
  summary: 'A webhook delivered in ISPBills event names and payloads; the signing secret is shown once',
  input: z.object({ url, events: eventList, active: z.boolean().optional() }),
  permission: 'webhooks.write',
  rateClass: 'standard',
  async run(ctx, input) {
    const created = await createWebhook(ctx, { url: input.url, events: toOwnEvents(input.events as IspbillsEvent[]), dialect: 'ispbills', active: input.active ?? true, description: 'ISPBills API' });
    const row = await ctx.db('webhooks').where({ id: created.id }).first();
    return { ...webhookOf(row), secret: created.secret };
  },
});

export const webhookUpdate = defineAction({
  name: 'ispbills_webhook_update',
  section: 'webhooks',
  summary: "Change an ISPBills webhook's URL, events or active flag",
  input: z.object({ id, url: url.optional(), events: eventList.optional(), active: z.boolean().optional() }),
  permission: 'webhooks.write',
  rateClass: 'standard',
  async run(ctx, input) {
    await requireIspbillsWebhook(ctx.db, input.id);
    await updateWebhook(ctx, input.id, { url: input.url, events: input.events ? toOwnEvents(input.events as IspbillsEvent[]) : undefined, active: input.active });
    return webhookOf(await ctx.db('webhooks').where({ id: input.id }).first());
  },
});

export const webhookList = defineAction({
  name: 'ispbills_webhook_list',
  section: 'webhooks',
  summary: 'Webhooks made through the ISPBills API',
  input: z.object(pageFields),
  permission: 'webhooks.read',
  rateClass: 'standard',
  async run(ctx, input) {
    const [{ n }] = await ctx.db('webhooks').where({ dialect: 'ispbills' }).count({ n: '*' });
    const rows = await ctx.db('webhooks').where({ dialect: 'ispbills' }).orderBy('id').limit(input.per_page).offset((input.page - 1) * input.per_page);
    return pageOf(rows.map(webhookOf), input.page, input.per_page, Number(n));
  },
});

export async function requireIspbillsWebhook(db: import('knex').Knex, webhookId: number) {
  const row = await db('webhooks').where({ id: webhookId, dialect: 'ispbills' }).first('id');
  if (!row) throw new AppError('not_found', `Webhook ${webhookId} was not found.`, 404);
}


export const routerLogs = defineAction({
  name: 'ispbills_router_logs',
  section: 'routers',
  summary: "A router's own log (RouterOS /log/print over the API), newest first",
  input: z.object({ ...pageFields, router_id: optionalId, topics: z.string().max(64).optional() }),
  permission: 'routers.read',
  rateClass: 'standard',
  async run(ctx, input) {
    const lines = await routerLog(ctx, { routerId: input.router_id, topic: input.topics });
    return pageOf(lines.slice((input.page - 1) * input.per_page, input.page * input.per_page), input.page, input.per_page, lines.length);
  },
});

// ---- devices, monitoring, NOC, hotspot: thin wrappers over the monitoring and network services ---------------------

const deviceShape = (d: DeviceView) => ({
  id: d.id,
  name: d.name,
  ip: d.ip,
  type: d.type,
  vendor: d.vendor,
  model: d.model,
  serial: d.serial,
  mac: d.mac,
  location: d.location,
  ...(d.type === 'onu' ? { olt_id: d.parent_id } : { parent_id: d.parent_id }),
  status: d.status,
  monitored: d.monitored,
  uptime: d.snmp?.uptime_s ?? null,
  latency_ms: d.snmp?.latency_ms ?? null,
  sys_name: d.snmp?.sys_name ?? null,
  sys_descr: d.snmp?.sys_descr ?? null,
  error: d.snmp?.error ?? null,
  last_checked_at: d.snmp?.last_poll_at ?? null,
  last_seen: d.status === 'online' ? (d.snmp?.last_poll_at ?? null) : null,
});

export const listDeviceStatus = defineAction({
  name: 'ispbills_devices',
  section: 'inventory',
  summary: 'Approved inventory devices (by type, vendor or OLT) with their last SNMP status',
  input: z.object({ ...pageFields, types: z.array(z.enum(NODE_TYPES)).max(8).optional(), vendor: z.enum(['ubiquiti', 'cambium']).optional(), olt_id: optionalId }),
  permission: 'inventory.read',
  rateClass: 'standard',
  async run(ctx, input) {
    const r = await listDevices(ctx, { types: input.types, vendor: input.vendor, parentId: input.olt_id, page: input.page, per_page: input.per_page });
    return pageOf(r.items.map(deviceShape), input.page, input.per_page, r.total);
  },
});

export const deviceStatusOverview = defineAction({
  name: 'ispbills_device_overview',
  section: 'monitoring',
  summary: 'Device counts by type and vendor, online / offline / unknown, and routers up / down',
  input: z.object({}),
  permission: 'monitoring.read',
  rateClass: 'standard',
  run: (ctx) => deviceOverview(ctx),
});

export const infrastructureChecks = defineAction({
  name: 'ispbills_status_checks',
  section: 'monitoring',
  summary: 'Router liveness probes and SNMP polls with their last outcome',
  input: z.object({ ...pageFields, status: z.enum(['up', 'down', 'unknown']).optional() }),
  permission: 'monitoring.read',
  rateClass: 'standard',
  async run(ctx, input) {
    const all = await statusChecks(ctx, input.status);
    return pageOf(all.slice((input.page - 1) * input.per_page, input.page * input.per_page), input.page, input.per_page, all.length);
  },
});

export const noc = defineAction({
  name: 'ispbills_noc',
  section: 'monitoring',
  summary: 'NOC overview: routers up/down, devices reachable, Zabbix problems, alerts worst first',
  input: z.object({}),
  permission: 'monitoring.read',
  rateClass: 'standard',
  run: (ctx) => nocOverview(ctx),
});

export const zabbixOverview = defineAction({
  name: 'ispbills_zabbix',
  section: 'monitoring',
  summary: 'Zabbix hosts by availability and open problems by severity',
  input: z.object({}),
  permission: 'monitoring.read',
  rateClass: 'standard',
  run: (ctx) => zabbixSummary(ctx),
});

export const zabbixHostPage = defineAction({
  name: 'ispbills_zabbix_hosts',
  section: 'monitoring',
  summary: 'Zabbix hosts with availability, groups and open problem count',
  input: z.object(pageFields),
  permission: 'monitoring.read',
  rateClass: 'standard',
  async run(ctx, input) {
    const { hosts } = await zabbixHosts(ctx);
    return pageOf(hosts.slice((input.page - 1) * input.per_page, input.page * input.per_page), input.page, input.per_page, hosts.length);
  },
});

export const zabbixProblemPage = defineAction({
  name: 'ispbills_zabbix_problems',
  section: 'monitoring',
  summary: 'Open Zabbix problems, newest first',
  input: z.object({ ...pageFields, severity: z.number().int().min(0).max(5).optional() }),
  permission: 'monitoring.read',
  rateClass: 'standard',
  async run(ctx, input) {
    const { problems } = await zabbixProblems(ctx, input.severity ?? 0);
    return pageOf(problems.slice((input.page - 1) * input.per_page, input.page * input.per_page), input.page, input.per_page, problems.length);
  },
});

export const hotspotSessions = defineAction({
  name: 'ispbills_hotspot',
  section: 'routers',
  summary: 'Hotspot sessions or users read from the routers (RouterOS API); passwords never returned',
  input: z.object({ ...pageFields, router_id: optionalId, type: z.enum(['active', 'users']).optional() }),
  permission: 'routers.read',
  rateClass: 'standard',
  async run(ctx, input) {
    const r = await hotspotList(ctx, { routerId: input.router_id, kind: input.type ?? 'active' });
    const page = pageOf(r.items.slice((input.page - 1) * input.per_page, input.page * input.per_page), input.page, input.per_page, r.items.length);
    return { ...page, unreachable: r.errors };
  },
});
