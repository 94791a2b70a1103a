/**
 * The SmartISP API v1 (`/api/SmartIPS-v1/…`, `X-Authorization` app key) as a translation layer over ispgate's own
 * actions: every write goes through invokeAs (permission, validation, rate limit, audit — as process.php), and the
 * replies are reshaped to SmartISP's keys. No second data model: a SmartISP client and its service are the one
 * subscriber row process.php's get_customer returns, provisioned in RADIUS by the same `add`/`edit`.
 */
import path from 'node:path';
import type express from 'express';
import type { Request, Response } from 'express';
import { bodyParsers } from '../../body';
import { z } from 'zod';
import { AppError } from '../../../errors';
import type { Runtime } from '../../../runtime';
import type { ActionContext } from '../../action';
import { id as idField, isCalendarDate, optionalBool, optionalId, optionalText, page, perPage, strictInt, text } from '../../fields';
import { invokeAs } from '../../invoke';
import { createRouteTable, type RouteTable } from '../route-table';
import { localsOf, parseWith, sendSmartError, smartIspAuth, smartIspErrorHandler, smartIspLimiter } from './context';
import {
  answerDate,
  balancesOf,
  clientShape,
  customFieldsOf,
  dniOf,
  invoiceShape,
  invoiceStatusName,
  onlineOf,
  planShape,
  PRIORITY_TO_ISPGATE,
  routerShape,
  serviceShape,
  TICKET_PRIORITIES,
  TICKET_STATUS_TO_ISPGATE,
  TICKET_STATUSES,
  TICKET_TYPES,
  ticketShape,
} from './shapes';

export const SMARTISP_BASE = '/api/SmartIPS-v1';

/** Why a client created through SmartISP is suspended until create-service gives it its service. */
const NO_SERVICE_YET = 'SmartISP client without a service yet';

type Row = Record<string, unknown>;

const blank = (v: unknown) => (v === '' || v === null ? undefined : v);
const asText = (v: unknown) => (typeof v === 'number' ? String(v) : v);
const DNI = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
const dniField = z.preprocess(asText, z.string().trim().regex(DNI, 'letters, digits and . _ @ - (up to 64)'));

/** SmartISP's dates: `18-10-2024` (date_in), `03/21/2024` (invoices, payments) or ISO `2024-10-18`. */
function smartDate(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const s = v.trim();
  let m = /^(\d{2})-(\d{2})-(\d{4})$/.exec(s);
  if (m) return `${m[3]}-${m[2]}-${m[1]}`;
  m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(s);
  if (m) return `${m[3]}-${m[1]}-${m[2]}`;
  return s;
}
const dateField = z.preprocess(smartDate, z.string().refine(isCalendarDate, 'use DD-MM-YYYY, MM/DD/YYYY or YYYY-MM-DD'));
const optionalDateField = z.preprocess((v) => smartDate(blank(v)), z.string().refine(isCalendarDate, 'use MM/DD/YYYY or YYYY-MM-DD').optional());
/** `x[]=a&x[]=b` (form), a JSON array, or one value. */
const arrayOf = <T extends z.ZodType>(item: T) =>
  z.preprocess((v) => (v === undefined || v === null ? v : Array.isArray(v) ? v : typeof v === 'object' ? Object.values(v as object) : [v]), z.array(item).min(1).max(100));
const numText = z.preprocess(asText, z.string().trim().regex(/^-?\d{1,12}([.,]\d{1,4})?$/, 'a number like 21.51'));

const errorSchema = z.object({
  status: z.literal(false),
  success: z.literal(false),
  message: z.string(),
  error: z.string(),
  errors: z.record(z.string(), z.array(z.string())).optional(),
});

const clientOut = z.looseObject({ id: z.number(), name: z.string(), email: z.string().nullable(), phone: z.string().nullable(), dni: z.string(), balance: z.string(), subscriber_no: z.string() });
const serviceOut = z.looseObject({ id: z.number(), client_id: z.number(), ip: z.string().nullable(), mac: z.string().nullable(), plan_id: z.number(), router_id: z.number().nullable(), status: z.enum(['ac', 'de']), user_hot: z.string(), pass_hot: z.string() });
const invoiceOut = z.looseObject({ id: z.number(), num_bill: z.string(), total_pay: z.string(), status: z.union([z.number(), z.string()]), client_id: z.union([z.number(), z.string()]) });
const paginationOut = z.object({ total: z.number(), per_page: z.number(), current_page: z.number(), last_page: z.number(), from: z.number().nullable(), to: z.number().nullable() });
const ticketOut = z.looseObject({ id: z.number(), subject: z.string(), section: z.string().nullable(), status: z.string(), type: z.string(), priority: z.string(), client_id: z.number().nullable(), ticket_cun_number: z.string() });

const notFound = (what: string) => ({ 404: `${what} not found` });

export function smartIspRouter(rt: Runtime): express.Router {
  const limits = smartIspLimiter(rt);
  const table: RouteTable = createRouteTable(
    {
      name: 'smartisp',
      title: 'SmartISP API v1 (ispgate)',
      version: '1.0',
      description:
        'SmartISP\'s API served by ispgate over its own subscribers, plans, routers, invoices, payments and tickets. ' +
        'Authenticate with the app key from api_client_create (dialect=smartisp) as the X-Authorization header. ' +
        'Router and hotspot passwords are never returned: they answer "********". Speeds are kbit/s (1 kbit = 1000 bit/s).',
      basePath: SMARTISP_BASE,
      securitySchemes: { appKey: { type: 'apiKey', in: 'header', name: 'X-Authorization', description: 'The SmartISP app key (smisp_…).' } },
      errorSchema,
    },
    [
      smartIspAuth(rt, limits),
      // process.php's own body parser (form with PHP bracket syntax, JSON, multipart), read only after the key is checked.
      bodyParsers({
        maxBodyBytes: 256 * 1024,
        anonymousBodyBytes: 16 * 1024,
        maxMultipartBytes: 1024 * 1024,
        maxFileBytes: 512 * 1024,
        maxFieldBytes: 64 * 1024,
        maxFiles: 1,
        tmpDir: path.join(rt.config.dataDir, 'tmp'),
      }),
    ],
  );
  const def = table.define;
  const call = (ctx: ActionContext, action: string, params: Record<string, unknown>) => {
    const a = rt.registry.get(action);
    if (!a) throw new AppError('not_available', `The action ${action} is not available in this server.`, 501);
    return invokeAs(ctx, a, params) as Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  const ctxOf = (res: Response) => localsOf(res).ctx;

  /** The subscriber a DNI names: its username, or the `dni` kept at create-client (the login may differ). */
  async function customerByDni(ctx: ActionContext, dniRaw: string): Promise<Row> {
    const dni = String(dniRaw ?? '').trim();
    if (!DNI.test(dni)) throw new AppError('client_not_found', `No client with DNI "${dni.slice(0, 64)}".`, 404);
    let row = await ctx.db('customers').where({ username: dni }).first('id');
    if (!row) {
      const pat = `%"dni":${JSON.stringify(dni).replace(/[!%_]/g, (m) => '!' + m)}%`;
      row = await ctx.db('customers').whereRaw("custom_fields LIKE ? ESCAPE '!'", [pat]).orderBy('id').first('id');
    }
    if (!row) throw new AppError('client_not_found', `No client with DNI "${dni}".`, 404);
    return call(ctx, 'get_customer', { id: Number(row.id) });
  }

  async function customerById(ctx: ActionContext, raw: string): Promise<Row> {
    if (!/^\d{1,15}$/.test(String(raw))) throw new AppError('client_not_found', `No client with id "${String(raw).slice(0, 20)}".`, 404);
    try {
      return await call(ctx, 'get_customer', { id: Number(raw) });
    } catch (e) {
      if (e instanceof AppError && e.code === 'customer_not_found') throw new AppError('client_not_found', `No client with id ${raw}.`, 404);
      throw e;
    }
  }

  async function vatRate(ctx: ActionContext): Promise<number> {
    const s = await call(ctx, 'get_billing_settings', {});
    return Number(s.default_vat_rate ?? 0);
  }

  async function allInvoicesOf(ctx: ActionContext, customerId: number): Promise<Row[]> {
    const out: Row[] = [];
    for (let p = 1; p <= 10; p++) {
      const r = await call(ctx, 'list_invoices', { customer_id: customerId, page: p, per_page: 100 });
      const items = (r.items ?? r) as Row[];
      out.push(...items);
      if (!r.meta || p >= r.meta.last_page) break;
    }
    return out;
  }

  async function serviceWithClient(ctx: ActionContext, c: Row) {
    const online = (await onlineOf(ctx.db, [String(c.username)])).has(String(c.username));
    const balance = (await balancesOf(ctx.db, [Number(c.id)])).get(Number(c.id)) ?? 0;
    return { ...serviceShape(c, online), client: clientShape(c, balance) };
  }

  // ---- plans, routers --------------------------------------------------------------------------------------------

  def({
    method: 'get',
    path: '/plans',
    summary: 'Get all plans (speeds in kbit/s)',
    tags: ['plans'],
    response: z.object({ plans: z.array(z.looseObject({ id: z.number(), name: z.string(), download: z.number(), upload: z.number(), num_clients: z.number(), cost: z.string(), iva: z.string() })) }),
    async handler(_req, res) {
      const ctx = ctxOf(res);
      const plans = (await call(ctx, 'list_plans', {})) as Row[];
      const vat = await vatRate(ctx);
      res.json({ plans: plans.slice().sort((a, b) => Number(a.id) - Number(b.id)).map((p) => planShape(p, vat)) });
    },
  });

  def({
    method: 'get',
    path: '/routers',
    summary: 'Get all routers (the API password answers "********")',
    tags: ['routers'],
    response: z.object({ routers: z.array(z.looseObject({ id: z.number(), name: z.string(), ip: z.string(), clients: z.number(), status: z.enum(['on', 'off']), login: z.string().nullable(), password: z.literal('********'), port: z.number() })) }),
    async handler(_req, res) {
      const routers = (await call(ctxOf(res), 'get_routers', {})) as Row[];
      res.json({ routers: routers.slice().sort((a, b) => Number(a.id) - Number(b.id)).map(routerShape) });
    },
  });

  // ---- clients and services --------------------------------------------------------------------------------------

  const createClientBody = z.object({
    name: text(191),
    phone: z.preprocess(asText, text(32)),
    email: text(191),
    dni: dniField,
    billing_due_date: z.preprocess(strictInt, z.number().int().min(1).max(31)),
    pass: z.preprocess(asText, z.string().min(1).max(128)),
    plan: optionalId.describe('ispgate extension: the plan the subscriber starts on (default: the plan with the lowest id)'),
  });
  def({
    method: 'post',
    path: '/create-client',
    summary: 'Create a client: an ispgate subscriber (login = DNI), suspended until create-service gives it its service',
    tags: ['clients'],
    request: createClientBody,
    response: z.object({ status: z.literal(true), client: z.object({ name: z.string(), phone: z.string().nullable(), email: z.string().nullable(), id_punto_emision: z.null(), dni: z.string(), id: z.number(), subscriber_no: z.string() }), message: z.string() }),
    errors: { 409: 'A client with this DNI exists', 422: 'Validation failed' },
    async handler(req, res) {
      const ctx = ctxOf(res);
      const input = parseWith(createClientBody, req.body);
      const taken = await customerByDni(ctx, input.dni).catch((e) => (e instanceof AppError && e.code === 'client_not_found' ? null : Promise.reject(e)));
      if (taken) throw new AppError('duplicate_dni', `A client with DNI "${input.dni}" already exists (id ${String(taken.id)}).`, 409, { details: { dni: 'already exists' } });
      let planId = input.plan;
      if (planId === undefined) {
        const first = await ctx.db('plans').orderBy('id').first('id');
        if (!first) throw new AppError('no_plan', 'Create a service plan first (process.php action=add_plan): every ispgate subscriber is on a plan.', 422);
        planId = Number(first.id);
      }
      const c = await call(ctx, 'add', {
        username: input.dni,
        password: input.pass,
        fullname: input.name,
        email: input.email,
        phone: input.phone,
        plan_id: planId,
        custom_fields: { dni: input.dni, billing_due_date: String(input.billing_due_date) },
      });
      // A client without a service has no connection yet: RADIUS refuses it until create-service. Should that
      // fail, the subscriber just created is removed again rather than left connected without a service.
      try {
        await call(ctx, 'toggle_status', { id: c.id, status: 'suspended', reason: NO_SERVICE_YET });
      } catch (e) {
        await call(ctx, 'delete', { id: c.id, force: true }).catch((x) => ctx.log.error('smartisp create-client: undo failed', { customer_id: c.id, err: String(x) }));
        throw e;
      }
      res.json({
        status: true,
        client: { name: input.name, phone: c.phone ?? null, email: c.email ?? null, id_punto_emision: null, dni: input.dni, id: Number(c.id), subscriber_no: String(c.id).padStart(4, '0') },
        message: 'Client successfully added',
      });
    },
  });

  const createServiceBody = z.object({
    router: z.preprocess(strictInt, z.number().int().positive()),
    plan: z.preprocess(strictInt, z.number().int().positive()),
    date_in: dateField,
    ip: z.preprocess(asText, text(45)),
    user_hot: z.preprocess(asText, z.string().trim().regex(DNI, 'letters, digits and . _ @ - (up to 64)')),
    pass_hot: z.preprocess(asText, z.string().min(1).max(128)),
    mac: text(32),
    send_invoice: optionalBool,
    billing_type: optionalText(32),
  });
  def({
    method: 'post',
    path: '/create-service/:dni',
    summary: 'Create the client\'s service: plan, router, IP, MAC and PPPoE/hotspot login (the subscriber is provisioned and activated)',
    tags: ['clients'],
    request: createServiceBody,
    response: z.object({ status: z.literal(true), message: z.string(), service: serviceOut.extend({ client: clientOut }) }),
    errors: { ...notFound('Client'), 409: 'The client already has a service', 422: 'Validation failed' },
    async handler(req, res) {
      const ctx = ctxOf(res);
      const c = await customerByDni(ctx, String(req.params.dni));
      const input = parseWith(createServiceBody, req.body);
      // A service exists once create-service went through; one stopped half-way (still suspended as "no service
      // yet") may be sent again.
      const pending = c.status === 'suspended' && c.suspend_reason === NO_SERVICE_YET;
      if (customFieldsOf(c).date_in && !pending)
        throw new AppError('service_exists', `Client ${String(c.id)} already has its service; ispgate holds one service per client (change it with process.php action=edit).`, 409);
      await call(ctx, 'edit', {
        id: c.id,
        ...(input.user_hot !== c.username ? { username: input.user_hot } : {}),
        password: input.pass_hot,
        plan_id: input.plan,
        router: String(input.router),
        static_ip: input.ip,
        mac_address: input.mac,
        custom_fields: { date_in: input.date_in, billing_type: input.billing_type ?? 'recurring', send_invoice: input.send_invoice ? '1' : '0' },
      });
      if (c.status !== 'active') await call(ctx, 'toggle_status', { id: c.id, status: 'active' });
      const fresh = await call(ctx, 'get_customer', { id: c.id });
      res.json({ status: true, message: 'Service successfully created.', service: await serviceWithClient(ctx, fresh) });
    },
  });

  def({
    method: 'get',
    path: '/get-user/:dni',
    summary: 'A client by DNI with its invoices',
    tags: ['clients'],
    response: z.object({ user: clientOut, invoices: z.object({ invoices_smartISP: z.array(invoiceOut), invoices_sunat: z.array(z.never()) }) }),
    errors: notFound('Client'),
    async handler(req, res) {
      const ctx = ctxOf(res);
      const c = await customerByDni(ctx, String(req.params.dni));
      const invoices = await allInvoicesOf(ctx, Number(c.id));
      const balance = (await balancesOf(ctx.db, [Number(c.id)])).get(Number(c.id)) ?? 0;
      res.json({
        user: clientShape(c, balance),
        invoices: { invoices_smartISP: invoices.sort((a, b) => Number(a.id) - Number(b.id)).map((i) => invoiceShape(i, 'number')), invoices_sunat: [] },
      });
    },
  });

  const clientsQuery = z.object({
    page,
    per_page: perPage(100, 25),
    search: optionalText(100),
    status: z.preprocess(blank, z.enum(['ac', 'de']).optional()),
    plan: optionalId,
    router: optionalId,
    partner_id: optionalId,
  });
  def({
    method: 'get',
    path: '/clients',
    summary: 'Clients, paginated, with their service (plan, router, IP, status)',
    tags: ['clients'],
    query: clientsQuery,
    response: z.object({
      success: z.literal(true),
      data: z.array(
        z.object({
          id: z.number(), name: z.string(), dni: z.string(), email: z.string().nullable(), phone: z.string().nullable(), address: z.string().nullable(), balance: z.string(), wallet_balance: z.number(), subscriber_no: z.string(), created_at: z.string().nullable(),
          service: z.array(z.object({
            id: z.number(), client_id: z.number(), plan_id: z.number(), router_id: z.number().nullable(), status: z.enum(['ac', 'de']), online: z.enum(['on', 'off']), ip: z.string().nullable(), service_type: z.string(),
            plan: z.object({ id: z.number(), name: z.string().nullable() }), router: z.object({ id: z.number(), name: z.string().nullable() }).nullable(),
          })),
        }),
      ),
      pagination: paginationOut,
    }),
    errors: { 422: 'Validation failed' },
    async handler(req, res) {
      const ctx = ctxOf(res);
      const q = parseWith(clientsQuery, req.query);
      if (q.partner_id !== undefined) throw new AppError('partner_not_available', 'ispgate has no partners: leave partner_id out (each tenant is its own installation).', 422, { details: { partner_id: 'not available' } });
      const r = await call(ctx, 'list_customers', {
        page: q.page,
        per_page: q.per_page,
        search: q.search,
        status: q.status === 'ac' ? 'active' : q.status === 'de' ? 'suspended' : undefined,
        plan: q.plan !== undefined ? String(q.plan) : undefined,
        router: q.router !== undefined ? String(q.router) : undefined,
      });
      const items = (r.items ?? []) as Row[];
      const balances = await balancesOf(ctx.db, items.map((c) => Number(c.id)));
      const online = await onlineOf(ctx.db, items.map((c) => String(c.username)));
      const data = items.map((c) => {
        const cl = clientShape(c, balances.get(Number(c.id)) ?? 0);
        const s = serviceShape(c, online.has(String(c.username)));
        return {
          id: cl.id, name: cl.name, dni: cl.dni, email: cl.email, phone: cl.phone, address: cl.address, balance: cl.balance, wallet_balance: 0, subscriber_no: cl.subscriber_no, created_at: cl.created_at,
          service: [
            {
              id: s.id, client_id: s.client_id, plan_id: s.plan_id, router_id: s.router_id, status: s.status, online: s.online, ip: s.ip, service_type: 'home',
              plan: { id: Number(c.plan_id), name: c.plan ?? null },
              router: c.router_id ? { id: Number(c.router_id), name: c.router ?? null } : null,
            },
          ],
        };
      });
      const m = r.meta as { total: number; per_page: number; current_page: number; last_page: number };
      const from = m.total && items.length ? (m.current_page - 1) * m.per_page + 1 : null;
      res.json({ success: true, data, pagination: { total: m.total, per_page: m.per_page, current_page: m.current_page, last_page: m.last_page, from, to: from === null ? null : from + items.length - 1 } });
    },
  });

  // ---- invoices and payments -------------------------------------------------------------------------------------

  const createInvoiceBody = z.object({
    description: arrayOf(z.preprocess(asText, z.string().trim().min(1).max(255))),
    invoice_billing_type: optionalText(32),
    invoice_date: optionalDateField,
    invoice_memo: optionalText(500),
    invoice_pay_date: optionalDateField,
    iva: arrayOf(numText),
    period_from: arrayOf(optionalDateField).optional(),
    period_to: arrayOf(optionalDateField).optional(),
    pos: arrayOf(z.preprocess(asText, z.string().max(16))).optional(),
    price: arrayOf(numText),
    quantity: arrayOf(z.preprocess(strictInt, z.number().int().min(1).max(1_000_000))),
    total: arrayOf(numText).optional(),
    unit: arrayOf(z.preprocess(asText, z.string().max(16))).optional(),
  });
  def({
    method: 'post',
    path: '/CreateInvoice/:userId',
    summary: 'Create an invoice for a client from parallel arrays of lines (description, quantity, price, iva); ispgate computes the totals',
    tags: ['invoices'],
    request: createInvoiceBody,
    response: z.object({ success: z.literal(true), mesnage: z.string(), num_bill: z.number(), id_invoice: z.number() }),
    errors: { ...notFound('Client'), 422: 'Validation failed (lines of unequal length, a VAT rate not offered, a date in the future)' },
    async handler(req, res) {
      const ctx = ctxOf(res);
      const c = await customerById(ctx, String(req.params.userId));
      const input = parseWith(createInvoiceBody, req.body);
      const n = input.description.length;
      for (const k of ['iva', 'price', 'quantity'] as const)
        if (input[k].length !== n) throw new AppError(`invalid_${k}`, `"${k}" has ${input[k].length} entries for ${n} descriptions: one per line.`, 422, { details: { [k]: `${n} entries` } });
      const inv = await call(ctx, 'create_invoice_manual', {
        customer_id: c.id,
        lines: input.description.map((d, i) => ({ description: d, quantity: input.quantity[i], unit_price: input.price[i].replace(',', '.'), vat_rate: input.iva[i].replace(',', '.') })),
        issue_date: input.invoice_date,
        due_date: input.invoice_pay_date,
        notes: input.invoice_memo,
        prices_include_vat: false,
      });
      res.json({ success: true, mesnage: 'Factura creada exitosamente', num_bill: Number(inv.number), id_invoice: Number(inv.id) });
    },
  });

  async function invoiceByNumber(ctx: ActionContext, raw: string): Promise<Row> {
    const s = String(raw ?? '').trim();
    const m = /^([A-Za-z0-9]{1,10})-(\d{1,12})$/.exec(s);
    let rows: Row[] = [];
    if (m) rows = await ctx.db('invoices').where({ series: m[1].toUpperCase(), number: Number(m[2]) }).select('id', 'series');
    else if (/^\d{1,12}$/.test(s)) rows = await ctx.db('invoices').where({ number: Number(s) }).orderBy('id').select('id', 'series');
    if (!rows.length) throw new AppError('invoice_not_found', `No invoice number "${s.slice(0, 30)}".`, 404);
    let pick = rows[0];
    if (rows.length > 1) {
      const settings = await call(ctx, 'get_billing_settings', {});
      pick = rows.find((r) => r.series === settings.default_series) ?? rows[0];
    }
    return call(ctx, 'get_invoice', { id: Number(pick.id) });
  }

  def({
    method: 'get',
    path: '/getInvoiceCliente/:invoice_number',
    summary: 'An invoice and its client by invoice number (the number in the default series, or SERIES-NUMBER)',
    tags: ['invoices'],
    response: z.object({ estatus: z.string(), BillCustomer: invoiceOut, Client: clientOut }),
    errors: notFound('Invoice'),
    async handler(req, res) {
      const ctx = ctxOf(res);
      const inv = await invoiceByNumber(ctx, String(req.params.invoice_number));
      const c = await call(ctx, 'get_customer', { id: Number(inv.customer_id) });
      const balance = (await balancesOf(ctx.db, [Number(c.id)])).get(Number(c.id)) ?? 0;
      res.json({ estatus: invoiceStatusName(String(inv.status)), BillCustomer: { ...invoiceShape(inv, 'name'), client_id: c.fullname ?? c.username }, Client: clientShape(c, balance, false) });
    },
  });

  for (const [code, paid] of [['3', false], ['1', true]] as const) {
    def({
      method: 'get',
      path: `/InvoiceClientStatus${code}/:userId`,
      summary: paid ? 'A client\'s paid invoices with client, service and plan' : 'A client\'s unpaid invoices with client, service and plan',
      tags: ['invoices'],
      response: z.object(
        paid
          ? { invoices: z.array(invoiceOut), numero_de_factura_pagadas: z.number() }
          : { invoices: z.array(invoiceOut), numero_de_factura_no_pagadas: z.number() },
      ),
      errors: notFound('Client'),
      async handler(req, res) {
        const ctx = ctxOf(res);
        const c = await customerById(ctx, String(req.params.userId));
        const all = await allInvoicesOf(ctx, Number(c.id));
        const chosen = all.filter((i) => (paid ? i.status === 'paid' : i.status === 'unpaid' || i.status === 'overdue')).sort((a, b) => Number(a.id) - Number(b.id));
        const balance = (await balancesOf(ctx.db, [Number(c.id)])).get(Number(c.id)) ?? 0;
        const client = clientShape(c, balance, false);
        const online = (await onlineOf(ctx.db, [String(c.username)])).has(String(c.username));
        const plans = (await call(ctx, 'list_plans', {})) as Row[];
        const plan = plans.find((p) => Number(p.id) === Number(c.plan_id));
        const vat = await vatRate(ctx);
        const service = { ...serviceShape(c, online), plan: plan ? planShape(plan, vat) : null };
        const invoices = chosen.map((i) => {
          const shaped = invoiceShape(i, 'name');
          return { ...shaped, client, service: shaped.service_id !== null ? service : null };
        });
        res.json(paid ? { invoices, numero_de_factura_pagadas: invoices.length } : { invoices, numero_de_factura_no_pagadas: invoices.length });
      },
    });
  }

  const payBody = z.object({
    way_to_pay: z.preprocess(asText, text(64)),
    date: optionalDateField,
    amount: numText,
    id_pago: z.preprocess(asText, text(120)),
    commentary: optionalText(255),
    invoice_id: idField,
    payByWallet: optionalBool,
  });
  /** SmartISP's way_to_pay words → ispgate's offline methods. */
  const methodOf = (w: string) => (/efectivo|cash|contado/i.test(w) ? 'cash' : /transfer|dep[oó]sito|banco|bank/i.test(w) ? 'bank_transfer' : 'manual');
  def({
    method: 'post',
    path: '/pagar_factura',
    summary: 'Pay an invoice (recorded as a cash, bank transfer or manual payment; id_pago makes a retry count once)',
    tags: ['invoices'],
    request: payBody,
    response: z.object({ success: z.literal(true), mesnage: z.string() }),
    errors: { ...notFound('Invoice'), 409: 'The invoice is already paid, void or cancelled', 422: 'Validation failed (amount over the balance, wallet payments)' },
    async handler(req, res) {
      const ctx = ctxOf(res);
      const input = parseWith(payBody, req.body);
      if (input.payByWallet)
        throw new AppError('wallet_not_available', 'ispgate keeps no client wallets: send payByWallet=false and the way the money was received.', 422, { details: { payByWallet: 'not available' } });
      await call(ctx, 'pay_invoice', {
        invoice_id: input.invoice_id,
        amount: input.amount.replace(',', '.'),
        method: methodOf(input.way_to_pay),
        reference: `smartisp:${input.id_pago}`,
        idempotency_key: `smartisp:${input.id_pago}`,
      });
      res.json({ success: true, mesnage: 'factura pagada' });
    },
  });

  def({
    method: 'post',
    path: '/DeleteIvoicePay/:invoiceID',
    summary: 'Withdraw an unpaid invoice (a numbered one is voided, keeping its number); a recorded payment is never removed',
    tags: ['invoices'],
    response: z.object({ success: z.literal(true), mensage: z.string() }),
    errors: { ...notFound('Invoice'), 409: 'The invoice has payments (refund or credit note) or was sent as an e-invoice' },
    async handler(req, res) {
      const ctx = ctxOf(res);
      const raw = String(req.params.invoiceID);
      if (!/^\d{1,15}$/.test(raw)) throw new AppError('invoice_not_found', `No invoice with id "${raw.slice(0, 20)}".`, 404);
      const inv = await call(ctx, 'get_invoice', { id: Number(raw) });
      if (Number(inv.paid_cents) > 0)
        throw new AppError('invoice_has_payments', `Invoice ${String(inv.invoice_no)} has payments recorded; ispgate never deletes a payment (money moves exactly once): refund it or issue a credit note.`, 409);
      const out = await call(ctx, 'delete_invoice', { id: Number(raw) });
      res.json({ success: true, mensage: out.voided ? `Se ha anulado la factura con ID ${raw}` : `Se a liminado la factura con ID ${raw}` });
    },
  });

  // ---- tickets -------------------------------------------------------------------------------------------------

  const ticketsQuery = z.object({
    page,
    per_page: perPage(100, 25),
    search: optionalText(100),
    status: z.preprocess(blank, z.enum(TICKET_STATUSES).optional()),
    type: z.preprocess(blank, z.enum(TICKET_TYPES).optional()),
    priority: z.preprocess(blank, z.enum(TICKET_PRIORITIES).optional()),
    client_id: optionalId,
    date_from: optionalDateField,
    date_to: optionalDateField,
  });
  const dniOfCustomerId = async (ctx: ActionContext, ids: number[]) => {
    const rows = ids.length ? ((await ctx.db('customers').whereIn('id', ids).select('id', 'username', 'custom_fields')) as Row[]) : [];
    return new Map(rows.map((r) => [Number(r.id), dniOf({ ...r, custom_fields: safeJson(r.custom_fields) })]));
  };
  def({
    method: 'get',
    path: '/tickets',
    summary: 'Support tickets, newest first, paginated, with client and assigned agent',
    tags: ['tickets'],
    query: ticketsQuery,
    response: z.object({ success: z.literal(true), data: z.array(ticketOut), pagination: paginationOut }),
    errors: { 422: 'Validation failed' },
    async handler(req, res) {
      const ctx = ctxOf(res);
      const q = parseWith(ticketsQuery, req.query);
      if (q.date_from || q.date_to)
        throw new AppError('date_filter_not_available', 'Filtering tickets by date is not available in ispgate yet; leave date_from and date_to out.', 422, { details: { date_from: 'not available' } });
      const empty = () => res.json({ success: true, data: [], pagination: { total: 0, per_page: q.per_page, current_page: q.page, last_page: 1, from: null, to: null } });
      // ispgate tickets have no type: every ticket is a "question".
      if (q.type && q.type !== 'question') return empty();
      let username: string | undefined;
      if (q.client_id !== undefined) {
        const c = await ctx.db('customers').where({ id: q.client_id }).first('username');
        if (!c) return empty();
        username = c.username;
      }
      const r = await call(ctx, 'list_tickets', {
        page: q.page,
        per_page: q.per_page,
        search: q.search,
        status: q.status ? TICKET_STATUS_TO_ISPGATE[q.status] : undefined,
        priority: q.priority ? PRIORITY_TO_ISPGATE[q.priority] : undefined,
        username,
      });
      const items = (r.items ?? []) as Row[];
      const dnis = await dniOfCustomerId(ctx, items.map((t) => Number((t.customer as Row | null)?.id ?? 0)).filter(Boolean));
      const counts = items.length
        ? new Map(((await ctx.db('ticket_messages').whereIn('ticket_id', items.map((t) => Number(t.id))).whereIn('kind', ['message', 'reply']).select('ticket_id').count({ n: '*' }).groupBy('ticket_id')) as Row[]).map((x) => [Number(x.ticket_id), Number(x.n)]))
        : new Map<number, number>();
      const data = items.map((t) => ({ ...ticketShape(t, dnis.get(Number((t.customer as Row | null)?.id ?? 0)) ?? null), answers_count: counts.get(Number(t.id)) ?? 0 }));
      const m = r.meta as { total: number; per_page: number; current_page: number; last_page: number };
      const from = m.total && items.length ? (m.current_page - 1) * m.per_page + 1 : null;
      res.json({ success: true, data, pagination: { ...m, from, to: from === null ? null : from + items.length - 1 } });
    },
  });

  def({
    method: 'get',
    path: '/tickets/meta',
    summary: 'Valid ticket statuses, types and priorities',
    tags: ['tickets'],
    response: z.object({ success: z.literal(true), data: z.object({ status: z.array(z.string()), type: z.array(z.string()), priority: z.array(z.string()) }) }),
    async handler(_req, res) {
      res.json({ success: true, data: { status: [...TICKET_STATUSES], type: [...TICKET_TYPES], priority: [...TICKET_PRIORITIES] } });
    },
  });

  const ticketIdOf = (raw: unknown) => {
    const s = String(raw ?? '');
    if (!/^\d{1,15}$/.test(s)) throw new AppError('ticket_not_found', `No ticket with id "${s.slice(0, 20)}".`, 404);
    return Number(s);
  };
  async function ticketOf(ctx: ActionContext, id: number) {
    const t = await call(ctx, 'get_ticket', { id });
    const cid = Number((t.customer as Row | null)?.id ?? 0);
    const dni = cid ? ((await dniOfCustomerId(ctx, [cid])).get(cid) ?? null) : null;
    return { t, shaped: ticketShape(t, dni) };
  }

  def({
    method: 'get',
    path: '/tickets/:ticket',
    summary: 'One ticket with its conversation (public replies, oldest first; internal notes are not shown)',
    tags: ['tickets'],
    response: z.object({ success: z.literal(true), data: ticketOut.extend({ answers: z.array(z.object({ id: z.number(), message: z.string(), user: z.string().nullable(), created_at: z.string().nullable() })) }) }),
    errors: notFound('Ticket'),
    async handler(req, res) {
      const ctx = ctxOf(res);
      const { t, shaped } = await ticketOf(ctx, ticketIdOf(req.params.ticket));
      const answers = ((t.messages ?? []) as Row[]).filter((m) => m.kind === 'message' || m.kind === 'reply').map((m) => ({ id: Number(m.id), message: String(m.body), user: (m.author as string | null) ?? null, created_at: answerDate(m.created_at) }));
      res.json({ success: true, data: { ...shaped, answers } });
    },
  });

  const createTicketBody = z.object({
    client_id: idField,
    subject: z.preprocess(asText, text(191)),
    message: z.preprocess(asText, z.string().trim().min(1).max(20_000)),
    section: optionalText(64),
    type: z.preprocess(blank, z.enum(TICKET_TYPES).optional()),
    priority: z.preprocess(blank, z.enum(TICKET_PRIORITIES).optional()),
    status: z.preprocess(blank, z.enum(TICKET_STATUSES).optional()),
    author: optionalText(128),
  });
  def({
    method: 'post',
    path: '/tickets',
    summary: 'Create a ticket with its first message (the CUN is the ticket id)',
    tags: ['tickets'],
    request: createTicketBody,
    response: z.object({ success: z.literal(true), message: z.string(), data: z.object({ id: z.number(), ticket_cun_number: z.string(), status: z.string(), client_id: z.number() }) }),
    errors: { ...notFound('Client'), 422: 'Validation failed' },
    async handler(req, res) {
      const ctx = ctxOf(res);
      const input = parseWith(createTicketBody, req.body);
      const c = await ctx.db('customers').where({ id: input.client_id }).first('id', 'username');
      if (!c) throw new AppError('client_not_found', `No client with id ${input.client_id}.`, 404, { details: { client_id: 'not found' } });
      const t = await call(ctx, 'ticket_create', {
        username: c.username,
        subject: input.subject,
        body: input.message,
        category: input.section,
        priority: PRIORITY_TO_ISPGATE[input.priority ?? 'low'],
        channel: 'api',
      });
      const want = input.status ? TICKET_STATUS_TO_ISPGATE[input.status] : 'open';
      let status = String(t.status);
      if (want !== status) status = String((await call(ctx, 'ticket_status', { id: t.id, status: want })).status);
      res.json({ success: true, message: 'Ticket creado', data: { id: Number(t.id), ticket_cun_number: String(t.id), status: ticketShape({ ...t, status }, null).status, client_id: Number(c.id) } });
    },
  });

  const replyBody = z.object({ message: z.preprocess(asText, z.string().trim().min(1).max(20_000)), from: z.preprocess(blank, z.enum(['support', 'client']).optional()), author: optionalText(128) });
  def({
    method: 'post',
    path: '/tickets/:ticket/reply',
    summary: 'Add a public reply to the ticket conversation',
    tags: ['tickets'],
    request: replyBody,
    response: z.object({ success: z.literal(true), message: z.string() }),
    errors: { ...notFound('Ticket'), 422: 'Validation failed' },
    async handler(req, res) {
      const ctx = ctxOf(res);
      const id = ticketIdOf(req.params.ticket);
      const input = parseWith(replyBody, req.body);
      await call(ctx, 'ticket_reply', { id, body: input.message });
      res.json({ success: true, message: 'Respuesta agregada' });
    },
  });

  const updateBody = z.object({
    status: z.preprocess(blank, z.enum(TICKET_STATUSES).optional()),
    priority: z.preprocess(blank, z.enum(TICKET_PRIORITIES).optional()),
    type: z.preprocess(blank, z.enum(TICKET_TYPES).optional()),
  });
  def({
    method: 'patch',
    path: '/tickets/:ticket',
    summary: 'Change a ticket\'s status and/or priority (status=resolved closes it)',
    tags: ['tickets'],
    request: updateBody,
    response: z.object({ success: z.literal(true), message: z.string(), data: z.object({ id: z.number(), status: z.string(), priority: z.string(), type: z.string() }) }),
    errors: { ...notFound('Ticket'), 409: 'A transition the ticket cannot make', 422: 'No valid field sent' },
    async handler(req, res) {
      const ctx = ctxOf(res);
      const id = ticketIdOf(req.params.ticket);
      const input = parseWith(updateBody, req.body);
      if (!input.status && !input.priority && !input.type)
        throw new AppError('missing_fields', 'Send at least one of status, priority or type.', 422, { details: { status: 'required' } });
      await ticketOf(ctx, id); // 404 before anything changes
      if (input.type && input.type !== 'question')
        throw new AppError('ticket_type_not_available', 'ispgate tickets have no type; every ticket is a "question".', 422, { details: { type: 'not available' } });
      if (input.status) await call(ctx, 'ticket_status', { id, status: TICKET_STATUS_TO_ISPGATE[input.status] });
      if (input.priority) await call(ctx, 'ticket_priority', { id, priority: PRIORITY_TO_ISPGATE[input.priority] });
      const { shaped } = await ticketOf(ctx, id);
      res.json({ success: true, message: 'Ticket actualizado', data: { id, status: shaped.status, priority: shaped.priority, type: shaped.type } });
    },
  });

  const router = table.router;
  router.use((req: Request, res: Response) => {
    sendSmartError(res, new AppError('not_found', `No SmartISP endpoint ${req.method} ${SMARTISP_BASE}${req.path.slice(0, 100)}; /openapi/smartisp.json lists them.`, 404));
  });
  router.use(smartIspErrorHandler(rt));
  return router;
}

function safeJson(v: unknown): Record<string, string> {
  if (v && typeof v === 'object') return v as Record<string, string>;
  try {
    const o = JSON.parse(String(v ?? ''));
    return o && typeof o === 'object' ? o : {};
  } catch {
    return {};
  }
}
