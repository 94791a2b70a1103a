/**
 * Subscribers. A subscriber exists in three places that must agree: the customers table, the FreeRADIUS rows
 * (same transaction), and on an api-mode router the PPP secret/queue/lease (steps with undo around that
 * transaction). Live sessions hear about changes after commit: Disconnect on suspend/delete, CoA on speed.
 */
import { listTotal } from '../../gateway/list-count';
import { forgetAnchors, offsetPage } from '../../db/page-anchors';
import { indexCustomerSearch, touchesSearch, whereSearch } from './customer-search';
import { pageMeta } from '../../domain/page';
import { decodeCursor, encodeCursor } from '../../gateway/cursor';
import type { Knex } from 'knex';
import { forUpdate, isSqlite, nowUtc, toIso } from '../../db/knex';
import { isValidAfm, normalizeAfm } from '../../domain/afm';
import { isTelegramChatId } from '../../domain/telegram';
import { isAssignableIpv4, normalizeIpv4, normalizeMac } from '../../domain/net';
import { emit } from '../../events/outbox';
import { revokeCustomerTunnels } from './wireguard';
import { poolAddressing } from './ipam';
import { AppError, errors, isAppError } from '../../errors';
import { assertTenantCapacity } from '../tenants';
import { ticketsOfCustomer } from '../helpdesk/tickets';
import { deprovisionCustomer, kickOnRouter, provisionCustomer, RouterLinks, Steps } from './provisioning';
import { runSteps, step, type Step } from '../steps';
import { recordRouterLeftover } from './tasks';
import { withTransaction } from '../../db/retry';
import type { RouterLink } from '../../adapters/routeros/session';
import {
  coaSessions,
  disconnectSessions,
  openSessionsOf,
  rateLimitForPlan,
  removeCustomerRows,
  summarise,
  syncCustomerRows,
  type DynAuthOutcome,
} from './radius';
import { findRouter, requirePlan, requireRouter, type CustomerRow, type Db, type NetCtx, type PlanRow, type RouterRowDb } from './common';

export type CustomerStatus = 'active' | 'suspended';

export interface CustomerInput {
  username?: string;
  password?: string;
  fullname?: string | null;
  email?: string | null;
  phone?: string | null;
  address?: string | null;
  afm?: string | null;
  plan?: string;
  plan_id?: number;
  static_ip?: string | null;
  pool?: string;
  mac_address?: string | null;
  /** Values of "" remove a field on edit. */
  custom_fields?: Record<string, string>;
  router?: string | number | null;
  /** Where Telegram notifications go; a new one clears the "bot was blocked" mark of the old one. */
  telegram_chat_id?: string | null;
}

export type CustomerRef = { id?: number; username?: string };

function parseCustom(v: string | null): Record<string, string> {
  if (!v) return {};
  try {
    const o = JSON.parse(v);
    return o && typeof o === 'object' && !Array.isArray(o) ? o : {};
  } catch {
    return {};
  }
}

export function publicCustomer(c: CustomerRow, plan?: Pick<PlanRow, 'id' | 'name'> | null, router?: Pick<RouterRowDb, 'id' | 'name'> | null) {
  return {
    id: c.id,
    username: c.username,
    fullname: c.fullname,
    email: c.email,
    phone: c.phone,
    address: c.address,
    afm: c.afm,
    plan_id: c.plan_id,
    plan: plan?.name ?? null,
    router_id: c.router_id,
    router: router?.name ?? null,
    static_ip: c.static_ip,
    mac_address: c.mac_address,
    custom_fields: parseCustom(c.custom_fields),
    status: c.status,
    suspend_reason: c.suspend_reason,
    telegram_chat_id: c.telegram_chat_id ?? null,
    activated_at: toIso(c.activated_at),
    created_at: toIso(c.created_at),
    updated_at: toIso(c.updated_at),
  };
}

const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Field rules shared by add and edit; returns the normalised column values for the fields given. */
async function normaliseFields(db: Db, input: CustomerInput, exceptId?: number) {
  const out: Partial<CustomerRow> = {};
  if (input.username !== undefined) {
    if (!USERNAME.test(input.username)) {
      throw errors.invalid('username', 'The username may use letters, digits and . _ @ - (up to 64, starting with a letter or digit).');
    }
    out.username = input.username;
  }
  if (input.password !== undefined) {
    // Control characters cannot be typed into a PPPoE client and would break the radcheck value.
    if (input.password.length < 1 || input.password.length > 128 || /[\x00-\x1f\x7f]/.test(input.password)) {
      throw errors.invalid('password', 'The password must be 1 to 128 printable characters.');
    }
    out.password = input.password;
  }
  for (const f of ['fullname', 'phone', 'address'] as const) if (input[f] !== undefined) out[f] = input[f] || null;
  if (input.email !== undefined) {
    if (input.email && !EMAIL.test(input.email)) throw errors.invalid('email', `"${input.email}" is not an email address.`);
    out.email = input.email || null;
  }
  if (input.telegram_chat_id !== undefined) {
    if (input.telegram_chat_id && !isTelegramChatId(input.telegram_chat_id)) throw errors.invalid('telegram_chat_id', `"${input.telegram_chat_id}" is not a Telegram chat id (digits, or @channel).`);
    out.telegram_chat_id = input.telegram_chat_id || null;
    out.telegram_blocked_at = null;
  }
  if (input.afm !== undefined) {
    if (input.afm && !isValidAfm(input.afm)) {
      throw errors.invalid('afm', `"${input.afm}" is not a valid Greek VAT number (ΑΦΜ): 9 digits with a matching check digit.`);
    }
    out.afm = input.afm ? normalizeAfm(input.afm) : null;
  }
  if (input.mac_address !== undefined) {
    if (input.mac_address) {
      const mac = normalizeMac(input.mac_address);
      if (!mac) throw errors.invalid('mac_address', `"${input.mac_address}" is not a device MAC address like AA:BB:CC:DD:EE:FF.`);
      // A router keys its static DHCP lease by MAC: a second subscriber with the same MAC would take over the
      // first one's lease, and deleting either would remove it for both.
      const q = db('customers').where({ mac_address: mac });
      if (exceptId !== undefined) q.whereNot({ id: exceptId });
      const holder = await q.first('username');
      if (holder) throw errors.invalid('mac_address', `${mac} is already the device of subscriber "${holder.username}".`);
      out.mac_address = mac;
    } else out.mac_address = null;
  }
  if (input.static_ip !== undefined) {
    if (input.static_ip) {
      const ip = normalizeIpv4(input.static_ip);
      if (!ip || !isAssignableIpv4(ip)) throw errors.invalid('static_ip', `"${input.static_ip}" is not an IPv4 address a subscriber can be given.`);
      const q = db('customers').where({ static_ip: ip });
      if (exceptId !== undefined) q.whereNot({ id: exceptId });
      const holder = await q.first('username');
      if (holder) throw errors.invalid('static_ip', `${ip} is already assigned to subscriber "${holder.username}".`);
      out.static_ip = ip;
    } else out.static_ip = null;
  }
  Object.assign(out, await poolAddressing(db, input, out.static_ip, exceptId)); // h4-network: pools drive addressing
  return out;
}

async function resolvePlan(db: Db, input: CustomerInput): Promise<PlanRow | null> {
  if (input.plan_id !== undefined) return requirePlan(db, { id: input.plan_id });
  if (input.plan !== undefined) {
    // The reference passes the plan's name; a numeric value that is no plan name is taken as an id.
    const byName = await db<PlanRow>('plans').where({ name: input.plan }).first();
    if (byName) return byName;
    if (/^\d+$/.test(input.plan)) return requirePlan(db, { id: Number(input.plan) });
    return requirePlan(db, { name: input.plan });
  }
  return null;
}

/**
 * Case-insensitive, as MariaDB's collation compares (and FreeRADIUS's SQL look-up with it): "Alice" and "alice"
 * would authenticate as whichever row comes first. SQLite compares bytes, so it is told to fold case.
 */
async function usernameTaken(db: Db, username: string, exceptId?: number) {
  const q = isSqlite(db as Knex) ? db('customers').whereRaw('ispgate_fold(username) = ispgate_fold(?)', [username]) : db('customers').where({ username });
  if (exceptId !== undefined) q.whereNot({ id: exceptId });
  return Boolean(await q.first('id'));
}

const duplicateUsername = (u: string) =>
  new AppError('duplicate_username', `The username "${u}" is already taken.`, 409, { details: { username: 'already exists' } });

export async function findCustomer(db: Db, ref: CustomerRef): Promise<CustomerRow | undefined> {
  if (ref.id !== undefined) return db<CustomerRow>('customers').where({ id: ref.id }).first();
  if (ref.username !== undefined) return db<CustomerRow>('customers').where({ username: ref.username }).first();
  return undefined;
}

export async function requireCustomer(db: Db, ref: CustomerRef): Promise<CustomerRow> {
  if (ref.id === undefined && ref.username === undefined) throw errors.missing('id');
  const c = await findCustomer(db, ref);
  if (!c) {
    throw new AppError('customer_not_found', `No subscriber ${ref.id !== undefined ? `with id ${ref.id}` : `"${ref.username}"`}.`, 404);
  }
  return c;
}

async function routerOf(db: Db, id: number | null): Promise<RouterRowDb | null> {
  return id === null ? null : ((await db<RouterRowDb>('routers').where({ id }).first()) ?? null);
}

/**
 * Custom fields are one JSON document in a TEXT column: 64 KiB on MariaDB, unbounded on SQLite. Fields added
 * edit by edit would otherwise pass on one database and fail with internal_error on the other.
 */
const CUSTOM_FIELDS_MAX = 50;
const CUSTOM_FIELDS_MAX_BYTES = 60_000;
function customJson(custom: Record<string, string>): string | null {
  if (!Object.keys(custom).length) return null;
  const json = JSON.stringify(custom);
  if (Object.keys(custom).length > CUSTOM_FIELDS_MAX || Buffer.byteLength(json, 'utf8') > CUSTOM_FIELDS_MAX_BYTES)
    throw errors.invalid('custom_fields', `A subscriber holds at most ${CUSTOM_FIELDS_MAX} custom fields and ${CUSTOM_FIELDS_MAX_BYTES / 1000} kB of them.`);
  return json;
}

type Leftover = { router_id: number; username: string; mac_address: string | null };

/**
 * The outside steps of one subscriber operation: RouterOS now, each a step with undo (see steps.ts). What a
 * router step could not undo is collected in `leftovers` and recorded once the whole operation has been undone
 * (recorded earlier, its convergence job could read the rows before their own undo and re-create the entries).
 */
function routerStep(
  ctx: NetCtx,
  links: RouterLinks,
  leftovers: Leftover[],
  name: string,
  target: () => { router: RouterRowDb | null; users: Array<{ username: string; mac_address: string | null }> },
  fn: (steps: Steps, link: RouterLink) => Promise<void>,
): Step<Steps | null> {
  const keep = (router: RouterRowDb, users: Array<{ username: string; mac_address: string | null }>) => {
    for (const u of users) leftovers.push({ router_id: router.id, username: u.username, mac_address: u.mac_address });
  };
  return step({
    name,
    async do() {
      const t = target();
      if (t.router?.mode !== 'api') return null;
      const s = new Steps();
      try {
        await fn(s, links.for(t.router));
        return s;
      } catch (e) {
        if ((await s.rollback(ctx.log)).length) keep(t.router, t.users);
        throw e;
      }
    },
    async undo(s) {
      if (!s) return;
      const t = target();
      if ((await s.rollback(ctx.log)).length && t.router) keep(t.router, t.users);
    },
  });
}

/**
 * Runs the steps with the router connections they open, then records what was left on routers for a job to
 * converge, whatever the outcome, and closes the connections.
 */
async function runWithLeftovers(ctx: NetCtx, build: (leftovers: Leftover[], links: RouterLinks) => Step<any>[]): Promise<void> {
  const leftovers: Leftover[] = [];
  const links = new RouterLinks(ctx);
  try {
    await runSteps(build(leftovers, links), { log: ctx.log });
  } finally {
    const seen = new Set<string>();
    for (const l of leftovers) {
      const k = `${l.router_id}:${l.username}`;
      if (seen.has(k)) continue;
      seen.add(k);
      await recordRouterLeftover(ctx, l).catch((e) => ctx.log.error('could not record a router leftover', { router: l.router_id, username: l.username, err: String((e as Error)?.message ?? e) }));
    }
    await links.closeAll();
    // Rows may have moved in or out of a filtered list: deep page numbers are re-anchored (db/page-anchors.ts).
    forgetAnchors(ctx.db, 'customers');
  }
}

/**
 * Takes back an event of an operation that was undone: while no delivery of it was attempted it is removed,
 * otherwise the reverse event says what happened.
 */
async function retractEvent(trx: Knex.Transaction, eventId: string, reverse: () => Promise<unknown>) {
  const ev = await trx('outbox_events').where({ event_id: eventId }).first('id');
  if (!ev) return;
  const started = await trx('webhook_deliveries')
    .where({ outbox_id: ev.id })
    .where((q) => q.whereNot('status', 'pending').orWhere('attempts', '>', 0))
    .first('id');
  if (started) {
    await reverse();
    return;
  }
  await trx('webhook_deliveries').where({ outbox_id: ev.id }).delete();
  await trx('outbox_events').where({ id: ev.id }).delete();
}

/**
 * Creates the subscriber: the rows (customer, RADIUS, customer.created) commit first in their own short
 * transaction; then an api-mode router gets its entries. A router that fails undoes its entries and the rows
 * are removed again, so the caller gets the router's error and nothing half-made remains.
 */
export async function createCustomer(ctx: NetCtx, input: CustomerInput & { username: string; password: string }) {
  // Read before the transaction: it uses its own connection, and SQLite has only one.
  const activeRouterId = input.router == null ? ((await ctx.getActiveRouterId?.()) ?? null) : null;
  let made!: { c: CustomerRow; plan: PlanRow; router: RouterRowDb | null; out: ReturnType<typeof publicCustomer>; eventId: string };
  await runWithLeftovers(ctx, (leftovers, links) => [
        step({
          name: 'database',
          do: async () =>
            (made = await withTransaction(ctx.db, async (trx) => {
              await assertTenantCapacity(ctx, 'subscribers', trx);
              const fields = await normaliseFields(trx, input);
              if (await usernameTaken(trx, input.username)) throw duplicateUsername(input.username);
              const plan = await resolvePlan(trx, input);
              if (!plan) throw errors.missing('plan');
              let router: RouterRowDb | null = null;
              if (input.router !== undefined && input.router !== null) router = await requireRouter(trx, input.router);
              else if (activeRouterId !== null) router = (await findRouter(trx, activeRouterId)) ?? null;
              const custom = Object.fromEntries(Object.entries(input.custom_fields ?? {}).filter(([, v]) => v !== ''));
              const now = nowUtc();
              const [id] = await trx('customers').insert({
                ...fields,
                plan_id: plan.id,
                router_id: router?.id ?? null,
                custom_fields: customJson(custom),
                status: 'active',
                activated_at: now,
                created_at: now,
                updated_at: now,
              });
              const c = (await trx<CustomerRow>('customers').where({ id: Number(id) }).first())!;
              await syncCustomerRows(trx, c);
              await indexCustomerSearch(trx, [c], { fresh: true });
              const out = publicCustomer(c, plan, router);
              const eventId = await emit(trx, 'customer.created', out);
              return { c, plan, router, out, eventId };
            })),
          undo: (m) =>
            withTransaction(ctx.db, async (trx) => {
              await removeCustomerRows(trx, m.c.username);
              await trx('customers').where({ id: m.c.id }).delete();
              await retractEvent(trx, m.eventId, () => emit(trx, 'customer.deleted', { id: m.c.id, username: m.c.username }));
            }),
        }),
        routerStep(
          ctx,
          links,
          leftovers,
          'router',
          () => ({ router: made.router, users: [{ username: made.c.username, mac_address: made.c.mac_address }] }),
          (steps, link) => provisionCustomer(steps, link, made.c, made.plan),
        ),
      ]);
    return made.out;
}

const RESTORED_COLUMNS = [
  'username', 'password', 'fullname', 'email', 'phone', 'address', 'afm', 'plan_id', 'router_id', 'static_ip', 'mac_address', 'custom_fields',
  'status', 'suspend_reason', 'activated_at', 'telegram_chat_id', 'telegram_blocked_at',
] as const;

/** Puts a subscriber's row and RADIUS rows back as they were (the undo of an edit or a status change). */
async function restoreCustomer(trx: Knex.Transaction, before: CustomerRow, current: Pick<CustomerRow, 'username'>) {
  const cols = Object.fromEntries(RESTORED_COLUMNS.map((k) => [k, before[k]]));
  await trx('customers').where({ id: before.id }).update({ ...cols, updated_at: nowUtc() });
  const c = (await trx<CustomerRow>('customers').where({ id: before.id }).first())!;
  await syncCustomerRows(trx, c, current.username);
  await indexCustomerSearch(trx, [c]);
}

export async function updateCustomer(ctx: NetCtx, ref: CustomerRef, input: CustomerInput) {
  let made!: { c: CustomerRow; cur: CustomerRow; plan: PlanRow; router: RouterRowDb | null; oldRouter: RouterRowDb | null };
  await runWithLeftovers(ctx, (leftovers, links) => [
        step({
          name: 'database',
          do: async () =>
            (made = await withTransaction(ctx.db, async (trx) => {
              const cur = await requireCustomer(trx, ref);
              const fields = await normaliseFields(trx, input, cur.id);
              if (fields.username !== undefined && fields.username !== cur.username && (await usernameTaken(trx, fields.username, cur.id))) {
                throw duplicateUsername(fields.username);
              }
              const plan = (await resolvePlan(trx, input)) ?? (await requirePlan(trx, { id: cur.plan_id }));
              const oldRouter = await routerOf(trx, cur.router_id);
              let router = oldRouter;
              if (input.router !== undefined) router = input.router === null ? null : await requireRouter(trx, input.router);
              let custom = parseCustom(cur.custom_fields);
              if (input.custom_fields) {
                custom = { ...custom, ...input.custom_fields };
                for (const [k, v] of Object.entries(input.custom_fields)) if (v === '') delete custom[k];
              }
              await trx('customers')
                .where({ id: cur.id })
                .update({
                  ...fields,
                  plan_id: plan.id,
                  router_id: router?.id ?? null,
                  custom_fields: customJson(custom),
                  updated_at: nowUtc(),
                });
              const c = (await trx<CustomerRow>('customers').where({ id: cur.id }).first())!;
              await syncCustomerRows(trx, c, cur.username);
              if (touchesSearch(fields)) await indexCustomerSearch(trx, [c]);
              return { c, cur, plan, router, oldRouter };
            })),
          undo: (m) => withTransaction(ctx.db, (trx) => restoreCustomer(trx, m.cur, m.c)),
        }),
        routerStep(
          ctx,
          links,
          leftovers,
          'old router',
          () => ({ router: made.oldRouter?.id !== made.router?.id ? made.oldRouter : null, users: [{ username: made.cur.username, mac_address: made.cur.mac_address }] }),
          (steps, link) => deprovisionCustomer(steps, link, made.cur),
        ),
        routerStep(
          ctx,
          links,
          leftovers,
          'router',
          () => ({
            router: made.router,
            users: [
              { username: made.c.username, mac_address: made.c.mac_address },
              ...(made.cur.username !== made.c.username || made.cur.mac_address !== made.c.mac_address ? [{ username: made.cur.username, mac_address: made.cur.mac_address }] : []),
            ],
          }),
          (steps, link) => provisionCustomer(steps, link, made.c, made.plan, made.oldRouter?.id === made.router?.id ? made.cur : undefined),
        ),
      ]);
  const { c, cur, plan, router, oldRouter } = made;
  // A session that is still up under the old name belongs to a user that no longer exists: a later suspend or
  // delete looks for the new name and would never end it, so it is ended now. The subscriber redials under the
  // new name (and the new plan, so no CoA is needed for it).
  if (cur.username !== c.username) {
    const ended = await endLiveSessions(ctx, cur, oldRouter);
    return { ...publicCustomer(c, plan, router), sessions_ended: ended };
  }
  let coa: (ReturnType<typeof summarise> & { sessions: number }) | null = null;
  // A new plan reaches a live session without a redial.
  if (cur.plan_id !== c.plan_id && c.status === 'active') {
    const sessions = await openSessionsOf(ctx.db, cur.username);
    const outcomes = await coaSessions(ctx, sessions, rateLimitForPlan(plan));
    coa = { sessions: sessions.length, ...summarise(outcomes) };
  }
  return { ...publicCustomer(c, plan, router), ...(coa ? { coa } : {}) };
}

/**
 * Deletes the subscriber, their RADIUS rows and what was provisioned on an api-mode router. The router goes
 * first (its entries are removed with undo), then the rows in one short transaction. A router that cannot be
 * reached refuses the delete (nothing changes) unless `force` is given: then the database is cleaned, the reply
 * says the router was left as it was (`router_cleanup_skipped`), and a pending effect keeps trying to clean it.
 */
export async function deleteCustomer(ctx: NetCtx, ref: CustomerRef, force = false) {
  const c = await requireCustomer(ctx.db, ref);
  // WireGuard tunnels go first: the row's delete clears their customer_id, after which they could not be found.
  await revokeCustomerTunnels(ctx, c.id, force);
  const router = await routerOf(ctx.db, c.router_id);
  let skipped = false;
  const users = [{ username: c.username, mac_address: c.mac_address }];
  await runWithLeftovers(ctx, (leftovers, links) => {
      const onRouter = routerStep(ctx, links, leftovers, 'router', () => ({ router, users }), (steps, link) => deprovisionCustomer(steps, link, c));
      return [
        step({
          name: 'router',
          async do() {
            try {
              return await onRouter.do();
            } catch (e) {
              if (!force || !isAppError(e) || e.code !== 'router_unreachable') throw e;
              ctx.log.warn('subscriber deleted without router clean-up (force)', { router: router!.id, username: c.username });
              skipped = true;
              // The router is left as it was; a pending effect keeps trying to clean it (and reports if it cannot).
              leftovers.push({ router_id: router!.id, username: c.username, mac_address: c.mac_address });
              return null;
            }
          },
          undo: (s) => onRouter.undo!(s),
        }),
        step({
          name: 'database',
          do: () =>
            withTransaction(ctx.db, async (trx) => {
              // The subscriber the router step worked from must still be the one deleted.
              const now = await forUpdate(trx, trx<CustomerRow>('customers').where({ id: c.id })).first();
              if (!now || now.username !== c.username || now.router_id !== c.router_id) {
                throw new AppError('customer_changed', 'The subscriber was changed while it was being deleted; try again.', 409);
              }
              await removeCustomerRows(trx, c.username);
              await trx('customers').where({ id: c.id }).delete();
              await emit(trx, 'customer.deleted', { id: c.id, username: c.username });
            }),
        }),
      ];
    });
  const ended = await endLiveSessions(ctx, c, router);
  return {
    id: c.id,
    username: c.username,
    deleted: true,
    sessions_ended: ended,
    ...(skipped ? { router_cleanup_skipped: true } : {}),
  };
}

/** Disconnect every open RADIUS session, and on an api-mode router kick the PPP session too. Best effort. */
async function endLiveSessions(ctx: NetCtx, c: Pick<CustomerRow, 'username'>, router: RouterRowDb | null) {
  const sessions = await openSessionsOf(ctx.db, c.username);
  const outcomes: DynAuthOutcome[] = await disconnectSessions(ctx, sessions);
  let kicked = 0;
  if (router?.mode === 'api') {
    const links = new RouterLinks(ctx);
    try {
      kicked = await kickOnRouter(links.for(router), c.username);
    } catch (e) {
      ctx.log.warn('could not kick PPP session on router', { router: router.id, err: String((e as Error)?.message ?? e) });
    } finally {
      await links.closeAll();
    }
  }
  return { sessions: sessions.length, ...summarise(outcomes), kicked_on_router: kicked, results: outcomes };
}

/** toggle_status: the status asked for, or without one the other of active/suspended. */
export async function toggleCustomerStatus(ctx: NetCtx, ref: CustomerRef, status?: 'active' | 'suspended', reason?: string) {
  const c = await requireCustomer(ctx.db, ref);
  return setCustomerStatus(ctx, c.id, status ?? (c.status === 'active' ? 'suspended' : 'active'), reason);
}

/**
 * Suspends or unsuspends a subscriber: RADIUS rejects a suspended one (Auth-Type := Reject), an api-mode router
 * gets the PPP secret disabled, customer.suspended / customer.unsuspended is emitted with the rows; the router
 * follows after commit (undone with the rows if it fails), and live sessions of a suspended subscriber are then
 * disconnected. Setting the status a subscriber already has changes nothing and emits nothing. Billing's dunning
 * calls this too.
 */
export async function setCustomerStatus(ctx: NetCtx, customerId: number, status: CustomerStatus, reason?: string) {
  if (status !== 'active' && status !== 'suspended') throw errors.invalid('status', 'The status must be "active" or "suspended".');
  let r!: { c: CustomerRow; cur: CustomerRow; plan: PlanRow; router: RouterRowDb | null; changed: boolean; eventId: string | null };
  await runWithLeftovers(ctx, (leftovers, links) => [
        step({
          name: 'database',
          do: async () =>
            (r = await withTransaction(ctx.db, async (trx) => {
              const cur = await forUpdate(trx, trx<CustomerRow>('customers').where({ id: customerId })).first();
              if (!cur) throw new AppError('customer_not_found', `No subscriber with id ${customerId}.`, 404);
              const plan = await requirePlan(trx, { id: cur.plan_id });
              const router = await routerOf(trx, cur.router_id);
              if (cur.status === status) return { c: cur, cur, plan, router, changed: false, eventId: null };
              const now = nowUtc();
              await trx('customers')
                .where({ id: customerId })
                .update({
                  status,
                  suspend_reason: status === 'suspended' ? (reason ?? null) : null,
                  activated_at: status === 'active' && !cur.activated_at ? now : cur.activated_at,
                  updated_at: now,
                });
              const c = (await trx<CustomerRow>('customers').where({ id: customerId }).first())!;
              await syncCustomerRows(trx, c);
              const out = publicCustomer(c, plan, router);
              const eventId = await emit(trx, status === 'suspended' ? 'customer.suspended' : 'customer.unsuspended', { ...out, reason: reason ?? null });
              return { c, cur, plan, router, changed: true, eventId };
            })),
          undo: (m) =>
            m.changed
              ? withTransaction(ctx.db, async (trx) => {
                  await restoreCustomer(trx, m.cur, m.c);
                  const back = publicCustomer(m.cur, m.plan, m.router);
                  await retractEvent(trx, m.eventId!, () => emit(trx, m.cur.status === 'suspended' ? 'customer.suspended' : 'customer.unsuspended', { ...back, reason: null }));
                })
              : Promise.resolve(),
        }),
        routerStep(
          ctx,
          links,
          leftovers,
          'router',
          () => ({ router: r.changed ? r.router : null, users: [{ username: r.c.username, mac_address: r.c.mac_address }] }),
          (steps, link) => provisionCustomer(steps, link, r.c, r.plan, r.cur),
        ),
      ]);
  const ended = r.changed && status === 'suspended' ? await endLiveSessions(ctx, r.c, r.router) : null;
  return { ...publicCustomer(r.c, r.plan, r.router), changed: r.changed, ...(ended ? { disconnect: ended } : {}) };
}

export async function getCustomer(ctx: NetCtx, ref: CustomerRef) {
  const c = await requireCustomer(ctx.db, ref);
  const plan = await ctx.db<PlanRow>('plans').where({ id: c.plan_id }).first();
  const router = await routerOf(ctx.db, c.router_id);
  const sessions = await openSessionsOf(ctx.db, c.username);
  return {
    ...publicCustomer(c, plan, router),
    online: sessions.length > 0,
    sessions: sessions.length,
    rate_limit: plan ? rateLimitForPlan(plan) : null,
    tickets: await ticketsOfCustomer(ctx.db, c.id),
  };
}

export interface ListFilters {
  page: number;
  per_page: number;
  search?: string;
  status?: CustomerStatus;
  plan?: string;
  router?: string;
  /** Keyset cursor (meta.next_cursor of the previous page): when given, `page` is not used. */
  cursor?: string;
}

export async function listCustomers(ctx: NetCtx, f: ListFilters) {
  const q = ctx.db<CustomerRow>('customers');
  if (f.search) await whereSearch(ctx.db as Knex, q, f.search);
  if (f.status) q.where({ status: f.status });
  if (f.plan) {
    const plan = (await ctx.db<PlanRow>('plans').where({ name: f.plan }).first()) ?? (/^\d+$/.test(f.plan) ? { id: Number(f.plan) } : null);
    if (!plan) throw new AppError('plan_not_found', `No service plan named "${f.plan}".`, 404);
    q.where({ plan_id: plan.id });
  }
  if (f.router) {
    const r = await requireRouter(ctx.db, f.router);
    q.where({ router_id: r.id });
  }
  // The total is counted (or estimated, and said so) per filter: see gateway/list-count.ts.
  const countKey = `customers|${JSON.stringify([f.search ?? null, f.status ?? null, f.plan ?? null, f.router ?? null])}`;
  const { total, estimated } = await listTotal(ctx.db as Knex, 'customers', countKey, q);
  // A cursor reads the next rows after the last id from the index; a deep page number starts from an anchor.
  const page = f.cursor
    ? q.clone().orderBy('id').limit(f.per_page).where('id', '>', decodeCursor('customers', f.cursor))
    : await offsetPage(ctx.db as Knex, 'customers', countKey, q, 'id', (f.page - 1) * f.per_page, f.per_page);
  // MariaDB reads "plan_id = ? AND id > ?" as a ref on plan_id, walking the plan's subscribers from its first id
  // (13 ms at a million); named, the same index is a range on (plan_id, id) that starts at the cursor.
  if (f.cursor && !f.search && (f.plan || f.router) && !isSqlite(ctx.db as Knex)) {
    void page.from(ctx.db.raw('?? FORCE INDEX (??)', ['customers', f.router ? 'customers_router_id_index' : 'customers_plan_id_index']));
  }
  const rows = (await page) as CustomerRow[];
  const planIds = [...new Set(rows.map((c) => c.plan_id).filter((v) => v !== null))];
  const routerIds = [...new Set(rows.map((c) => c.router_id).filter((v): v is number => v !== null))];
  const plans = new Map((planIds.length ? await ctx.db<PlanRow>('plans').whereIn('id', planIds).select('id', 'name') : []).map((p) => [p.id, p]));
  const routers = new Map((routerIds.length ? await ctx.db<RouterRowDb>('routers').whereIn('id', routerIds).select('id', 'name') : []).map((r) => [r.id, r]));
  return {
    customers: rows.map((c) => publicCustomer(c, plans.get(c.plan_id), c.router_id !== null ? routers.get(c.router_id) : null)),
    meta: {
      ...pageMeta(f.page, f.per_page, total),
      next_cursor: rows.length === f.per_page ? encodeCursor('customers', rows[rows.length - 1].id) : null,
      ...(estimated ? { total_estimated: true } : {}),
    },
  };
}
