/**
 * The ISPBills front door (REST v1 and v2) over the same services process.php serves. Every operation that has a
 * process.php action is that action run in process (invokeAs: permission, budget, validation, audit) with the
 * request and the reply reshaped; the few reads only ISPBills has are local actions run the same way. Nothing here
 * holds a business rule: field names, shapes, the error envelope, pagination and ISPBills' own request budgets.
 */
import crypto from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Knex } from 'knex';
import { AppError } from '../../../errors';
import type { Runtime } from '../../../runtime';
import { randomToken } from '../../../secrets';
import { findIspbillsClient, touchApiClient } from '../../../services/core/api-clients';
import { authenticateLogin } from '../../../services/core/auth';
import { loadSettings } from '../../../services/billing/settings';
import type { ActionContext, AnyAction, Tenant } from '../../action';
import { invokeAs } from '../../invoke';
import { createRouteTable, type HttpMethod } from '../route-table';
import { ISPBILLS_DOCS, errorSchema, replySchema } from './docs';
import { buildContext, toAppError } from '../../pipeline';
import { RateLimits } from '../../rate-limit';
import { fromPage, sendIspbillsError, slicePage, type IspPage } from './envelope';
import * as local from './local-actions';
import { bill, customerV1, customerV2, packageOf, routerOf, vpnAccount } from './shapes';
import { findToken, issueV1Pair, issueV2Token, revokeToken, spendRefresh } from './tokens';
import './webhooks';

type Version = 1 | 2;
/** ispgate's pending/sending (not yet taken by the gateway) are ISPBills' "queued". */
const ispbillsSmsStatus = (s: string) => (s === 'pending' || s === 'sending' ? 'queued' : s);
type Rec = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Call {
  ctx: ActionContext;
  req: Request;
  body: Rec;
  v: Version;
  /** Runs a process.php action (or a local one) as the caller. */
  invoke(action: string | AnyAction, params: Rec): Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  page(): { page: number; per_page: number };
  id(): number;
}

type Reply = { status?: number; data?: unknown } | { page: IspPage<unknown> } | { noContent: true } | { file: { name: string; type: string; body: string } };


function intParam(raw: unknown, name: string, def: number, max: number): number {
  if (raw === undefined || raw === '') return def;
  const s = String(raw);
  if (!/^\d{1,9}$/.test(s) || Number(s) < 1 || Number(s) > max)
    throw new AppError(`invalid_${name}`, `The ${name} must be a whole number from 1 to ${max}.`, 422, { details: { [name]: `must be a whole number from 1 to ${max}` } });
  return Number(s);
}

function bodyObject(req: Request): Rec {
  const b = req.body;
  if (b === undefined || b === null || (typeof b === 'object' && !Array.isArray(b) && Object.keys(b).length === 0)) return {};
  if (typeof b !== 'object' || Array.isArray(b)) throw new AppError('invalid_body', 'The body must be a JSON object.', 400);
  return b as Rec;
}

/** ISPBills amounts are numbers in major units (1500, 12.5); ispgate parses them to cents as a string would be. */
function money(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'string') return v;
  throw new AppError('invalid_amount', 'The amount must be a number.', 422, { details: { amount: 'must be a number' } });
}

function str(v: unknown, field: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string' || typeof v === 'number') return String(v);
  throw new AppError(`invalid_${field}`, `The ${field} must be text.`, 422, { details: { [field]: 'must be text' } });
}

/** Where the ISPBills routes live; paths in the route table are below it (`/v1/customers`). */
export const ISPBILLS_BASE = '/api';

export function ispbillsRouter(rt: Runtime): Router {
  const outer = express.Router();
  if (!rt.config.ISPBILLS_API) return outer;
  const table = createRouteTable({
    name: 'ispbills',
    title: 'ISPBills API v1 and v2 (ispgate)',
    version: '2',
    description:
      "ISPBills' REST API served by ispgate over its own subscribers, plans, routers, invoices, payments and devices. v1: " +
      'POST /api/auth/login (admin e-mail and password) for a bearer token, 60 requests/min. v2: POST /api/v2/auth/token with ' +
      'the client id and secret from api_client_create (dialect=ispbills), 120 requests/min. Lists take page and per_page (at ' +
      'most 100) and answer meta {current_page, per_page, total, last_page}; errors answer {error: {code, message, details}}; a ' +
      '429 carries Retry-After. Secrets (router, hotspot and PPPoE passwords, SNMP communities) are never returned.',
    basePath: ISPBILLS_BASE,
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'The access token from /api/auth/login (v1) or /api/v2/auth/token (v2).' } },
    errorSchema,
  });
  const router = table.router;
  outer.use(ISPBILLS_BASE, router);
  const cfg = rt.config;
  const budget = (n: number, name: string) => new RateLimits({ standard: n, billing: n, bulk: n, windowSeconds: cfg.ISPBILLS_RATE_LIMIT_WINDOW_SECONDS }, rt.redis, `${cfg.REDIS_PREFIX}:${name}`);
  const limits: Record<Version, RateLimits> = { 1: budget(cfg.ISPBILLS_RATE_LIMIT_V1, 'ispbills_v1'), 2: budget(cfg.ISPBILLS_RATE_LIMIT_V2, 'ispbills_v2') };

  const json = express.json({ limit: '256kb', type: ['application/json', 'application/*+json'] });
  const form = express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 200 });
  const scopes = ['/auth', '/v1', '/v2'];
  router.use(scopes, json, form);

  async function spend(res: Response, v: Version, key: string) {
    const verdict = await limits[v].consume(key, 'standard');
    res.setHeader('X-RateLimit-Limit', String(verdict.limit));
    res.setHeader('X-RateLimit-Remaining', String(verdict.remaining));
  }

  async function tenantOf(req: Request): Promise<{ tenant: Tenant; db: Knex }> {
    return rt.tenants.resolve(req.headers.host);
  }

  function bearer(req: Request): string {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    if (!m) throw new AppError('unauthorized', 'Send "Authorization: Bearer <access token>".', 401);
    return m[1];
  }

  /** The caller of a v1 or v2 endpoint: its token, the admin it acts for (or a platform client), its budget. */
  async function authenticate(req: Request, res: Response, v: Version) {
    const { tenant, db } = await tenantOf(req);
    const token = await findToken(db, bearer(req), v === 1 ? 'v1_access' : 'v2_access');
    if (!token) throw new AppError('unauthorized', 'The access token is not valid, has expired or was revoked.', 401);
    let name = 'ispbills';
    if (token.api_client_id) {
      const client = await db('api_clients').where({ id: token.api_client_id }).whereNull('revoked_at').first();
      if (!client) throw new AppError('unauthorized', 'The API client of this token was revoked.', 401);
      await touchApiClient(db, client);
      name = `ispbills:${client.name}`;
    }
    const actor = await rt.credentials.credentialActor(db, token.admin_id, name, 'token');
    await spend(res, v, `${tenant.slug}:${token.api_client_id ? `c${token.api_client_id}` : `a${token.admin_id}`}`);
    const requestId = res.locals.requestId as string;
    const log = rt.log.child({ request_id: requestId, dialect: 'ispbills', ip: req.ip });
    const ctx = buildContext(rt, { db, tenant, actor, requestId, req, res, log: () => log });
    return { ctx, token };
  }

  function send(res: Response, out: Reply) {
    if ('noContent' in out) return void res.status(204).end();
    if ('file' in out) {
      res.setHeader('Content-Type', out.file.type);
      res.setHeader('Content-Disposition', `attachment; filename="${out.file.name.replace(/[^\w.-]/g, '_')}"`);
      return void res.status(200).send(out.file.body);
    }
    if ('page' in out) return void res.status(200).json({ data: out.page.items, meta: out.page.meta });
    res.status(out.status ?? 200).json({ data: out.data ?? null });
  }

  function fail(res: Response, e: unknown, sent?: Rec) {
    const err = toAppError(e);
    if (err.code === 'internal_error') rt.log.error('ispbills request failed', { request_id: res.locals.requestId, err: (e as Error)?.stack ?? String(e) });
    sendIspbillsError(res, err, res.locals.requestId, new Set(Object.keys(sent ?? {})));
  }

  /** Registers `METHOD /api/…` through the route table with its entry in ISPBILLS_DOCS (none: the server does not start). */
  function define(method: HttpMethod, path: string, handler: (req: Request, res: Response) => Promise<void>, isPublic = false) {
    const doc = ISPBILLS_DOCS[`${method.toUpperCase()} ${path}`];
    if (!doc) throw new Error(`ISPBills route ${method.toUpperCase()} ${path} has no entry in ISPBILLS_DOCS`);
    const errors: Record<number, string> = { 429: 'Too many requests (Retry-After says how long to wait)', ...(doc.errors ?? {}) };
    if (!isPublic) errors[403] = 'The token lacks the permission';
    if (doc.query && !errors[422]) errors[422] = 'A query parameter is not valid';
    table.define({
      method,
      path: path.slice(ISPBILLS_BASE.length),
      summary: doc.summary,
      ...(doc.description ? { description: doc.description } : {}),
      tags: [path.startsWith('/api/v2') ? 'v2' : 'v1'],
      ...(doc.query ? { query: doc.query } : {}),
      ...(doc.request ? { request: doc.request } : {}),
      ...(replySchema(doc) ? { response: replySchema(doc) } : {}),
      ...(doc.status ? { successStatus: doc.status } : {}),
      ...(doc.reply === 'file' ? { responseType: 'text/plain' } : {}),
      errors,
      public: isPublic,
      handler,
    });
  }

  function route(method: 'get' | 'post' | 'put' | 'delete', path: string, v: Version, handler: (c: Call) => Promise<Reply>) {
    define(method, path, async (req: Request, res: Response) => {
      let body: Rec = {};
      try {
        const { ctx } = await authenticate(req, res, v);
        body = bodyObject(req);
        const call: Call = {
          ctx,
          req,
          body,
          v,
          invoke: (action, params) => {
            const a = typeof action === 'string' ? rt.registry.get(action) : action;
            if (!a) throw new Error(`action ${String(action)} is not registered`);
            return invokeAs(ctx, a, params);
          },
          page: () => ({ page: intParam(req.query.page, 'page', 1, 1_000_000), per_page: intParam(req.query.per_page, 'per_page', 20, 100) }),
          id: () => intParam(req.params.id, 'id', 1, 2 ** 31 - 1),
        };
        send(res, await handler(call));
      } catch (e) {
        fail(res, e, body);
      }
    });
  }
  const both = (method: 'get' | 'post' | 'put' | 'delete', v1: string | null, v2: string | null, handler: (c: Call) => Promise<Reply>) => {
    if (v1) route(method, `/api/v1${v1}`, 1, handler);
    if (v2) route(method, `/api/v2${v2}`, 2, handler);
  };
  // ---- authentication ------------------------------------------------------------------------------------------

  define('post', '/api/auth/login', async (req, res) => {
    let body: Rec = {};
    try {
      const { tenant, db } = await tenantOf(req);
      await spend(res, 1, `${tenant.slug}:ip${req.ip}`);
      body = bodyObject(req);
      const email = str(body.email, 'email')?.trim();
      const password = typeof body.password === 'string' ? body.password : undefined;
      const details: Record<string, string> = {};
      if (!email) details.email = 'required';
      if (!password) details.password = 'required';
      if (Object.keys(details).length) throw new AppError('missing_credentials', 'The given data was invalid.', 422, { details });
      if (email!.length > 191 || password!.length > 1024) throw new AppError('invalid_credentials', 'The e-mail or password is wrong.', 401);
      // ISPBills signs in by e-mail; ispgate's admins sign in by username. The e-mail names the admin (when exactly
      // one has it), and then the login is action=login's own: the same throttle key, password and 2FA check.
      const owners = await db('admins').whereRaw('lower(email) = ?', [email!.toLowerCase()]).limit(2).select('username');
      const username = owners.length === 1 ? owners[0].username : email!;
      let admin;
      try {
        admin = await authenticateLogin(db, rt.secrets, rt.loginLimits, { tenantSlug: tenant.slug, username, password: password!, code: str(body.code, 'code'), ip: req.ip ?? '' });
      } catch (e) {
        if (e instanceof AppError && e.code === 'invalid_credentials') throw new AppError('invalid_credentials', 'The e-mail or password is wrong.', 401);
        throw e;
      }
      res.json(await issueV1Pair(db, admin.id, cfg.ISPBILLS_V1_TOKEN_TTL_SECONDS, cfg.ISPBILLS_V1_REFRESH_TTL_DAYS));
    } catch (e) {
      fail(res, e, body);
    }
  }, true);

  define('post', '/api/auth/refresh', async (req, res) => {
    let body: Rec = {};
    try {
      const { tenant, db } = await tenantOf(req);
      await spend(res, 1, `${tenant.slug}:ip${req.ip}`);
      body = bodyObject(req);
      const given = str(body.refresh_token, 'refresh_token');
      if (!given) throw new AppError('missing_refresh_token', 'The given data was invalid.', 422, { details: { refresh_token: 'required' } });
      const row = await findToken(db, given, 'v1_refresh');
      if (!row || !row.admin_id || !(await spendRefresh(db, row))) throw new AppError('unauthorized', 'The refresh token is not valid, has expired or was already used.', 401);
      await rt.credentials.credentialActor(db, row.admin_id, 'ispbills', 'token');
      res.json(await issueV1Pair(db, row.admin_id, cfg.ISPBILLS_V1_TOKEN_TTL_SECONDS, cfg.ISPBILLS_V1_REFRESH_TTL_DAYS));
    } catch (e) {
      fail(res, e, body);
    }
  }, true);

  define('post', '/api/v2/auth/token', async (req, res) => {
    let body: Rec = {};
    try {
      const { tenant, db } = await tenantOf(req);
      await spend(res, 2, `${tenant.slug}:ip${req.ip}`);
      body = bodyObject(req);
      const clientId = str(body.client_id, 'client_id');
      const secret = str(body.client_secret, 'client_secret');
      const details: Record<string, string> = {};
      if (!clientId) details.client_id = 'required';
      if (!secret) details.client_secret = 'required';
      if (Object.keys(details).length) throw new AppError('missing_credentials', 'The given data was invalid.', 422, { details });
      const client = await findIspbillsClient(db, clientId!, secret!);
      if (!client) throw new AppError('invalid_client', 'The client id or secret is wrong, or the client was revoked.', 401);
      await rt.credentials.credentialActor(db, client.admin_id, 'ispbills', 'API client');
      await touchApiClient(db, client);
      res.json(await issueV2Token(db, client, cfg.ISPBILLS_V2_TOKEN_TTL_SECONDS));
    } catch (e) {
      fail(res, e, body);
    }
  }, true);

  define('post', '/api/v2/auth/revoke', async (req, res) => {
    try {
      const { token } = await authenticate(req, res, 2);
      await revokeToken((await tenantOf(req)).db, token.id);
      res.status(204).end();
    } catch (e) {
      fail(res, e);
    }
  });

  // ---- customers -----------------------------------------------------------------------------------------------

  const shapeCustomer = (v: Version) => (v === 1 ? customerV1 : customerV2);

  /** ISPBills' customer fields → the add/edit action's fields. Connection type and ONU MAC go to custom fields. */
  function customerFields(b: Rec, creating: boolean): Rec {
    const out: Rec = {};
    const map: Array<[string, string]> = [['name', 'fullname'], ['email', 'email'], ['phone', 'phone'], ['address', 'address'], ['username', 'username'], ['password', 'password']];
    for (const [from, to] of map) if (b[from] !== undefined) out[to] = b[from];
    if (b.package_id !== undefined) out.plan_id = b.package_id;
    const custom: Rec = {};
    if (b.connection_type !== undefined) custom.connection_type = str(b.connection_type, 'connection_type') ?? '';
    if (b.onu_mac !== undefined) custom.onu_mac = str(b.onu_mac, 'onu_mac') ?? '';
    if (Object.keys(custom).length) out.custom_fields = custom;
    if (creating && (out.fullname === undefined || out.fullname === '')) throw new AppError('missing_name', 'The given data was invalid.', 422, { details: { name: 'required' } });
    return out;
  }

  /** ISPBills creates a customer without PPPoE credentials; ispgate needs them: a free username and a random password. */
  async function newUsername(db: Knex, b: Rec): Promise<string> {
    const fromEmail = typeof b.email === 'string' ? b.email.split('@')[0] : '';
    const fromPhone = typeof b.phone === 'string' ? b.phone.replace(/\D/g, '') : '';
    const base = (fromPhone || fromEmail || 'customer').replace(/[^A-Za-z0-9._-]/g, '').replace(/^[^A-Za-z0-9]+/, '').slice(0, 48) || 'customer';
    if (!(await db('customers').where({ username: base }).first('id'))) return base;
    return `${base}-${crypto.randomBytes(3).toString('hex')}`;
  }

  both('get', '/customers', '/customers', async (c) => {
    const q = c.req.query;
    const params: Rec = { ...c.page() };
    if (typeof q.search === 'string') params.search = q.search;
    if (q.status === 'active' || q.status === 'suspended') params.status = q.status;
    if (typeof q.package_id === 'string') params.plan = q.package_id;
    return { page: fromPage(await c.invoke('list_customers', params), shapeCustomer(c.v)) };
  });

  both('post', '/customers', '/customers', async (c) => {
    const fields = customerFields(c.body, true);
    if (fields.username === undefined) fields.username = await newUsername(c.ctx.db, c.body);
    if (fields.password === undefined) fields.password = randomToken(9);
    const created = await c.invoke('add', fields);
    return { status: 201, data: shapeCustomer(c.v)(created) };
  });

  both('get', '/customers/:id', '/customers/:id', async (c) => ({ data: shapeCustomer(c.v)(await c.invoke('get_customer', { id: c.id() })) }));

  route('put', '/api/v2/customers/:id', 2, async (c) => {
    const updated = await c.invoke('edit', { id: c.id(), ...customerFields(c.body, false) });
    const current = await c.invoke('get_customer', { id: updated.id });
    return { data: customerV2(current) };
  });

  route('delete', '/api/v2/customers/:id', 2, async (c) => {
    await c.invoke('delete', { id: c.id(), ...(c.req.query.force === '1' || c.req.query.force === 'true' ? { force: 1 } : {}) });
    return { noContent: true };
  });

  route('post', '/api/v1/customers/:id/action', 1, async (c) => {
    const action = str(c.body.action, 'action');
    const to = action === 'suspend' ? 'suspended' : action === 'activate' || action === 'reactivate' ? 'active' : null;
    if (!to) throw new AppError('invalid_action', 'The action must be "suspend" or "activate".', 422, { details: { action: action ? 'must be suspend or activate' : 'required' } });
    const r = await c.invoke('toggle_status', { id: c.id(), status: to, ...(c.body.reason ? { reason: str(c.body.reason, 'reason') } : {}) });
    return { data: { ...customerV1(r), changed: r.changed } };
  });

  route('get', '/api/v2/customers/:id/bills', 2, async (c) => ({ page: fromPage(await c.invoke('list_invoices', { customer_id: c.id(), ...c.page() }), bill) }));
  route('get', '/api/v2/customers/:id/payments', 2, async (c) => {
    const id = c.id();
    await c.invoke('get_customer', { id });
    return { page: await c.invoke(local.listPayments, { customer_id: id, ...c.page() }) };
  });
  route('get', '/api/v2/customers/:id/subscriptions', 2, async (c) => ({ page: await c.invoke(local.listSubscriptions, { customer_id: c.id(), ...c.page() }) }));
  route('get', '/api/v2/customers/:id/usage', 2, async (c) => ({ data: await c.invoke(local.customerUsage, { id: c.id() }) }));

  // ---- billing -------------------------------------------------------------------------------------------------

  const listBills = async (c: Call) => {
    const q = c.req.query;
    const params: Rec = { ...c.page() };
    if (typeof q.customer_id === 'string') params.customer_id = q.customer_id;
    if (typeof q.status === 'string') params.status = q.status;
    return { page: fromPage(await c.invoke('list_invoices', params), bill) };
  };
  both('get', '/invoices', null, listBills);
  both('get', '/bills', '/billing/bills', listBills);
  both('get', '/payments', '/billing/payments', async (c) => ({ page: await c.invoke(local.listPayments, { ...c.page(), ...(typeof c.req.query.customer_id === 'string' ? { customer_id: Number(c.req.query.customer_id) || -1 } : {}) }) }));
  both('get', '/subscriptions', null, async (c) => ({ page: await c.invoke(local.listSubscriptions, c.page()) }));

  route('post', '/api/v2/billing/bills', 2, async (c) => {
    const b = c.body;
    const details: Record<string, string> = {};
    if (b.customer_id === undefined) details.customer_id = 'required';
    if (b.amount === undefined) details.amount = 'required';
    if (Object.keys(details).length) throw new AppError('missing_fields', 'The given data was invalid.', 422, { details });
    const currency = str(b.currency, 'currency');
    if (currency) {
      const own = (await loadSettings(c.ctx.db)).currency;
      if (currency.toUpperCase() !== own) throw new AppError('invalid_currency', `This installation bills in ${own}.`, 422, { details: { currency: `must be ${own}` } });
    }
    const description = str(b.description, 'description')?.trim() || 'Bill';
    const created = await c.invoke('create_invoice_manual', {
      customer_id: b.customer_id,
      // The amount is what the subscriber owes: VAT, if any, is inside it.
      lines: [{ description: description.slice(0, 255), quantity: 1, unit_price: money(b.amount) }],
      prices_include_vat: true,
      ...(b.due_date !== undefined ? { due_date: b.due_date } : {}),
      notes: description.slice(0, 500),
    });
    return { status: 201, data: bill(await c.invoke('get_invoice', { id: created.id })) };
  });

  route('get', '/api/v2/billing/bills/:id', 2, async (c) => ({ data: bill(await c.invoke('get_invoice', { id: c.id() })) }));

  /**
   * An issued invoice's amount and lines do not change (numbering law); ISPBills' update is its status: "paid"
   * records the payment (method, transaction_id), the other states go through invoice_set_status.
   */
  route('put', '/api/v2/billing/bills/:id', 2, async (c) => {
    const id = c.id();
    const b = c.body;
    const fixed = ['amount', 'currency', 'customer_id', 'description', 'due_date'].filter((k) => b[k] !== undefined);
    if (fixed.length)
      throw new AppError('bill_issued', 'An issued bill keeps its amount, customer, dates and description; delete it and create a new one.', 422, { details: Object.fromEntries(fixed.map((k) => [k, 'cannot be changed after the bill is issued'])) });
    const status = str(b.status, 'status');
    if (!status) throw new AppError('missing_status', 'The given data was invalid.', 422, { details: { status: 'required' } });
    if (status === 'paid') {
      const method = str(b.method, 'method') ?? 'cash';
      const offline = ['cash', 'bank_transfer', 'dias', 'manual'];
      await c.invoke('pay_invoice', {
        invoice_id: id,
        ...(offline.includes(method) ? { method } : { method: 'manual' }),
        ...(b.paid_amount !== undefined ? { amount: money(b.paid_amount) } : {}),
        ...(b.transaction_id !== undefined ? { reference: str(b.transaction_id, 'transaction_id') } : {}),
      });
    } else {
      await c.invoke('invoice_set_status', { id, status, ...(b.reason ? { reason: str(b.reason, 'reason') } : {}) });
    }
    return { data: bill(await c.invoke('get_invoice', { id })) };
  });

  route('delete', '/api/v2/billing/bills/:id', 2, async (c) => {
    await c.invoke('delete_invoice', { id: c.id() });
    return { noContent: true };
  });

  // ---- packages, network, VPN ----------------------------------------------------------------------------------

  both('get', '/packages', '/packages', async (c) => {
    const p = c.page();
    return { page: slicePage(((await c.invoke('list_plans', {})) as Rec[]).map(packageOf), p.page, p.per_page) };
  });
  both('get', '/routers', '/network/routers', async (c) => {
    const p = c.page();
    return { page: slicePage(((await c.invoke('get_routers', {})) as Rec[]).map(routerOf), p.page, p.per_page) };
  });
  route('get', '/api/v2/network/pools', 2, async (c) => {
    const p = c.page();
    const pools = ((await c.invoke('ipam_usage', {})) as Rec).pools as Rec[];
    return { page: slicePage(pools.map((x) => ({ name: x.name, family: x.family, type: x.type, ranges: x.ranges, size: x.size, used: x.used, free: x.free, utilisation: x.utilisation })), p.page, p.per_page) };
  });
  both('get', '/vpn/accounts', '/vpn/accounts', async (c) => ({ page: fromPage(await c.invoke('wireguard_list', c.page()), vpnAccount) }));
  const vpnConfig = async (c: Call) => {
    const raw = c.req.params.account ?? c.req.params.id;
    const r = await c.invoke('wireguard_config', { id: intParam(raw, 'id', 1, 2 ** 31 - 1) });
    return { file: { name: `${r.name ?? 'wg' + r.id}.conf`, type: 'text/plain; charset=utf-8', body: String(r.config) } };
  };
  route('get', '/api/v1/vpn/accounts/:account/config', 1, vpnConfig);
  route('get', '/api/v2/vpn/accounts/:id/config', 2, vpnConfig);

  // ---- dashboard, logs -----------------------------------------------------------------------------------------

  both('get', '/dashboard', null, async (c) => ({ data: await c.invoke(local.dashboard, {}) }));
  both('get', '/logs/ppp-auth', null, async (c) => ({ page: await c.invoke(local.pppAuthLogs, { ...c.page(), ...(typeof c.req.query.username === 'string' ? { username: c.req.query.username } : {}) }) }));
  both('get', '/logs/router', null, async (c) => {
    const q = c.req.query;
    return { page: await c.invoke(local.routerLogs, { ...c.page(), ...(typeof q.router_id === 'string' ? { router_id: q.router_id } : {}), ...(typeof q.topics === 'string' ? { topics: q.topics } : {}) }) };
  });
  both('get', '/logs/auto-suspension', null, async (c) => ({ page: await c.invoke(local.autoSuspensionLogs, c.page()) }));

  // ---- SMS ------------------------------------------------------------------------------------------------------

  both('post', '/sms/send', '/sms/send', async (c) => {
    const r = await c.invoke('sms_send', { phone: c.body.phone, message: c.body.message });
    const data: Rec = { message_id: r.message_id, status: ispbillsSmsStatus(r.status), phone: r.phone };
    if (c.v === 2) Object.assign(data, { credits_used: r.credits_used, credits_remaining: r.credits_remaining });
    return { data };
  });
  route('post', '/api/v2/sms/broadcast', 2, async (c) => {
    const r = await c.invoke('sms_broadcast', { phones: c.body.phones, message: c.body.message });
    return { status: 202, data: { batch_id: r.batch, job_id: r.job_id, status: 'queued', recipients: r.queued } };
  });
  both('get', '/sms/balance', '/sms/balance', async (c) => ({ data: await c.invoke('sms_balance', {}) }));
  route('get', '/api/v1/sms/history', 1, async (c) =>
    ({ page: fromPage(await c.invoke('sms_history', { ...c.page(), ...(typeof c.req.query.status === 'string' ? { status: c.req.query.status } : {}) }), (m: Rec) => ({ message_id: m.message_id, phone: m.phone, message: m.message, status: ispbillsSmsStatus(m.status), credits_used: m.credits_used, error: m.error, created_at: m.created_at, sent_at: m.sent_at })) }));

  // ---- operators and recharge cards (v1) ------------------------------------------------------------------------

  const operatorOf = (o: Rec) => ({ id: o.id, name: o.name, email: o.email, phone: o.phone, status: o.status, balance: o.balance, created_at: o.created_at, updated_at: o.updated_at });
  route('get', '/api/v1/operators', 1, async (c) => ({ page: fromPage(await c.invoke('operator_list', { ...c.page(), ...(typeof c.req.query.status === 'string' ? { status: c.req.query.status } : {}) }), operatorOf) }));
  route('post', '/api/v1/operators', 1, async (c) => ({ status: 201, data: operatorOf(await c.invoke('operator_create', { name: c.body.name, email: c.body.email, phone: c.body.phone })) }));
  route('put', '/api/v1/operators/:id', 1, async (c) => {
    const b = c.body;
    const fields = Object.fromEntries(['name', 'email', 'phone', 'status'].filter((k) => b[k] !== undefined).map((k) => [k, b[k]]));
    return { data: operatorOf(await c.invoke('operator_edit', { id: c.id(), ...fields })) };
  });
  route('post', '/api/v1/operators/:id/suspend', 1, async (c) => ({ data: operatorOf(await c.invoke('operator_suspend', { id: c.id() })) }));
  /** Money exactly once: the top-up names its reference (`reference`, `transaction_id` or an Idempotency-Key header). */
  route('post', '/api/v1/operators/:id/fund', 1, async (c) => {
    const b = c.body;
    const reference = str(b.reference, 'reference') ?? str(b.transaction_id, 'transaction_id') ?? (typeof c.req.headers['idempotency-key'] === 'string' ? c.req.headers['idempotency-key'] : undefined);
    if (!reference) throw new AppError('missing_reference', 'A top-up needs a reference (or transaction_id, or an Idempotency-Key header) so a retry cannot add the money twice.', 422, { details: { reference: 'required' } });
    if (b.amount === undefined) throw new AppError('missing_amount', 'The given data was invalid.', 422, { details: { amount: 'required' } });
    const r = await c.invoke('operator_fund', { id: c.id(), amount: money(b.amount), reference, ...(b.note ? { note: str(b.note, 'note') } : {}) });
    return { status: r.duplicate ? 200 : 201, data: { ...operatorOf(r.operator), fund: r.fund, duplicate: r.duplicate } };
  });
  route('get', '/api/v1/recharge-cards', 1, async (c) => {
    const q = c.req.query;
    const params: Rec = { ...c.page() };
    if (typeof q.batch_id === 'string') params.batch_id = q.batch_id;
    if (typeof q.status === 'string') params.status = q.status;
    return { page: fromPage(await c.invoke('recharge_card_list', params), (x: Rec) => ({ id: x.id, batch_id: x.batch_id, serial: x.serial, value: x.value, status: x.status, customer_id: x.customer_id, redeemed_at: x.redeemed_at, expires_on: x.expires_on, created_at: x.created_at })) };
  });

  // ---- webhooks (v2) -------------------------------------------------------------------------------------------

  route('get', '/api/v2/webhooks', 2, async (c) => ({ page: await c.invoke(local.webhookList, c.page()) }));
  route('post', '/api/v2/webhooks', 2, async (c) => ({ status: 201, data: await c.invoke(local.webhookCreate, { url: c.body.url, events: c.body.events, ...(c.body.active !== undefined ? { active: c.body.active } : {}) }) }));
  route('put', '/api/v2/webhooks/:id', 2, async (c) => ({ data: await c.invoke(local.webhookUpdate, { id: c.id(), ...c.body }) }));
  route('delete', '/api/v2/webhooks/:id', 2, async (c) => {
    const id = c.id();
    await local.requireIspbillsWebhook(c.ctx.db, id);
    await c.invoke('webhook_delete', { id });
    return { noContent: true };
  });

  // ---- OLTs, ONUs, device monitoring, Zabbix, NOC, hotspot -------------------------------------------------------

  const qText = (c: Call, name: string) => (typeof c.req.query[name] === 'string' && c.req.query[name] !== '' ? (c.req.query[name] as string) : undefined);
  const oltId = (c: Call) => {
    const raw = qText(c, 'olt_id');
    return raw === undefined ? {} : { olt_id: intParam(raw, 'olt_id', 1, 2 ** 31 - 1) };
  };
  const routerId = (c: Call) => {
    const raw = qText(c, 'router_id');
    return raw === undefined ? {} : { router_id: intParam(raw, 'router_id', 1, 2 ** 31 - 1) };
  };
  const olts = async (c: Call) => ({ page: await c.invoke(local.listDeviceStatus, { ...c.page(), types: ['olt'] }) });
  const onus = async (c: Call) => ({ page: await c.invoke(local.listDeviceStatus, { ...c.page(), types: ['onu'], ...oltId(c) }) });
  both('get', '/olts', '/network/olts', olts);
  route('get', '/api/v2/network/onus', 2, onus);
  route('get', '/api/v1/monitoring/onus', 1, onus);
  route('get', '/api/v1/monitoring/ubiquiti', 1, async (c) => ({ page: await c.invoke(local.listDeviceStatus, { ...c.page(), vendor: 'ubiquiti' }) }));
  route('get', '/api/v1/monitoring/cambium', 1, async (c) => ({ page: await c.invoke(local.listDeviceStatus, { ...c.page(), vendor: 'cambium' }) }));
  // Who logged in to the devices: RouterOS logs every login and logout under the "account" topic.
  route('get', '/api/v1/monitoring/access-logs', 1, async (c) => ({ page: await c.invoke(local.routerLogs, { ...c.page(), ...routerId(c), topics: 'account' }) }));
  const checks = async (c: Call) => {
    const status = qText(c, 'status');
    if (status !== undefined && !['up', 'down', 'unknown'].includes(status)) throw new AppError('invalid_status', 'The status must be up, down or unknown.', 422, { details: { status: 'must be up, down or unknown' } });
    return { page: await c.invoke(local.infrastructureChecks, { ...c.page(), ...(status ? { status } : {}) }) };
  };
  both('get', '/monitoring/status-checks', '/monitoring/status-checks', checks);
  route('get', '/api/v2/monitoring/devices', 2, async (c) => ({ data: await c.invoke(local.deviceStatusOverview, {}) }));
  route('get', '/api/v1/noc/dashboard', 1, async (c) => ({ data: await c.invoke(local.noc, {}) }));
  route('get', '/api/v1/monitoring/zabbix', 1, async (c) => ({ data: await c.invoke(local.zabbixOverview, {}) }));
  route('get', '/api/v2/monitoring/zabbix/hosts', 2, async (c) => ({ page: await c.invoke(local.zabbixHostPage, c.page()) }));
  route('get', '/api/v2/monitoring/zabbix/problems', 2, async (c) => {
    const sev = qText(c, 'severity');
    return { page: await c.invoke(local.zabbixProblemPage, { ...c.page(), ...(sev !== undefined ? { severity: intParam(sev, 'severity', 0, 5) } : {}) }) };
  });
  route('get', '/api/v1/logs/hotspot', 1, async (c) => {
    const type = qText(c, 'type');
    if (type !== undefined && type !== 'active' && type !== 'users') throw new AppError('invalid_type', 'The type must be active or users.', 422, { details: { type: 'must be active or users' } });
    const r = await c.invoke(local.hotspotSessions, { ...c.page(), ...routerId(c), ...(type ? { type } : {}) });
    // Routers that did not answer while others did: named in a header, so the page is not mistaken for the whole list.
    if (r.unreachable.length) c.req.res?.setHeader('X-Unreachable-Routers', r.unreachable.map((e: Rec) => String(e.router_id)).join(','));
    return { page: { items: r.items, meta: r.meta } };
  });

  // Anything else under ISPBills' prefixes answers in ISPBills' envelope, not process.php's.
  router.use(scopes, (_req: Request, res: Response) => {
    sendIspbillsError(res, new AppError('not_found', 'No such ISPBills endpoint.', 404));
  });
  // Body parser failures (malformed JSON, too large) on these paths.
  router.use(scopes, (err: unknown, _req: Request, res: Response, next: NextFunction) => {
    const status = Number((err as { status?: unknown })?.status);
    if (status === 400) return sendIspbillsError(res, new AppError('malformed_json', 'The body is not valid JSON.', 400));
    if (status === 413) return sendIspbillsError(res, new AppError('body_too_large', 'The body is too large.', 413));
    if (status >= 400 && status < 500) return sendIspbillsError(res, new AppError('bad_request', 'The request cannot be read.', status));
    next(err);
  });
  return outer;
}
