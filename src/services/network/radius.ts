/**
 * RADIUS in ispgate: the FreeRADIUS rows kept in step with subscribers, plans and routers (always inside the
 * caller's transaction), active sessions from radacct, and Disconnect/CoA to the NAS a session is on.
 */
import type { Knex } from 'knex';
import { buildRateLimit } from '../../domain/rate';
import { sendCoa, sendDisconnect, type DynAuthResult } from '../../adapters/radius/dynauth';
import { AppError } from '../../errors';
import { toIso } from '../../db/knex';
import {
  planGroup,
  speedProfileOf,
  type CustomerRow,
  type Db,
  type NetCtx,
  type PlanRow,
  type RouterRowDb,
} from './common';
import { planPoolReplies } from './plan-pool';

/** A plan is one group: its Mikrotik-Rate-Limit lives in radgroupreply, members in radusergroup. */
export async function syncPlanGroup(db: Db, plan: PlanRow): Promise<string> {
  const group = planGroup(plan.id);
  const rateLimit = buildRateLimit(speedProfileOf(plan));
  await db('radgroupreply').where({ groupname: group }).delete();
  await db('radgroupreply').insert({ groupname: group, attribute: 'Mikrotik-Rate-Limit', op: ':=', value: rateLimit });
  for (const row of planPoolReplies(group, plan as PlanRow & { pool?: string | null; pool6?: string | null })) await db('radgroupreply').insert(row); // h4-network
  return rateLimit;
}

export async function removePlanGroup(db: Db, planId: number): Promise<void> {
  const group = planGroup(planId);
  await db('radgroupreply').where({ groupname: group }).delete();
  await db('radgroupcheck').where({ groupname: group }).delete();
  await db('radusergroup').where({ groupname: group }).delete();
}

/**
 * Only the attributes ispgate owns: an operator's hand-made rows for the user (e.g. Simultaneous-Use) stay.
 * The rows are found by a plain read and deleted by primary key: a DELETE … WHERE username = ? on MariaDB takes a
 * gap lock where the username would go, and the INSERT that follows in the same transaction waits on the gap
 * lock another new subscriber's transaction holds — concurrent adds deadlocked on it.
 */
async function deleteUserRows(db: Db, username: string): Promise<void> {
  const owned: Array<[string, (q: Knex.QueryBuilder) => Knex.QueryBuilder]> = [
    ['radcheck', (q) => q.whereIn('attribute', ['Cleartext-Password', 'Auth-Type'])],
    ['radreply', (q) => q.whereIn('attribute', ['Framed-IP-Address'])],
    ['radusergroup', (q) => q.where('groupname', 'like', 'plan-%')],
  ];
  // One read for the three tables (a new subscriber has none: no delete follows), then deletes by primary key.
  const pick = (i: number) => owned[i][1](db(owned[i][0]).where({ username }).select(db.raw('? as t', [i]), 'id'));
  const found = (await pick(0).unionAll([pick(1), pick(2)])) as Array<{ t: number | string; id: number }>;
  for (let i = 0; i < owned.length; i++) {
    const ids = found.filter((r) => Number(r.t) === i).map((r) => r.id);
    if (ids.length) await db(owned[i][0]).whereIn('id', ids).delete();
  }
}

/**
 * Cleartext-Password (op := : an assignment, the column default == would be a comparison), Auth-Type := Reject
 * while suspended, Framed-IP-Address for a static IP, and the plan group.
 */
export async function syncCustomerRows(db: Db, c: CustomerRow, previousUsername?: string): Promise<void> {
  if (previousUsername && previousUsername !== c.username) {
    await deleteUserRows(db, previousUsername);
    // Rows an operator added by hand follow the rename, so the subscriber keeps them.
    for (const t of ['radcheck', 'radreply', 'radusergroup']) await db(t).where({ username: previousUsername }).update({ username: c.username });
  }
  await deleteUserRows(db, c.username);
  await db('radcheck').insert({ username: c.username, attribute: 'Cleartext-Password', op: ':=', value: c.password });
  if (c.status === 'suspended') await db('radcheck').insert({ username: c.username, attribute: 'Auth-Type', op: ':=', value: 'Reject' });
  if (c.static_ip) await db('radreply').insert({ username: c.username, attribute: 'Framed-IP-Address', op: ':=', value: c.static_ip });
  await db('radusergroup').insert({ username: c.username, groupname: planGroup(c.plan_id), priority: 1 });
}

export async function removeCustomerRows(db: Db, username: string): Promise<void> {
  for (const t of ['radcheck', 'radreply', 'radusergroup']) await db(t).where({ username }).delete();
}

/** One nas row per router, keyed by its RADIUS source IP. FreeRADIUS needs the secret in clear here. */
export async function syncNas(db: Db, r: Pick<RouterRowDb, 'id' | 'name' | 'radius_ip'>, secret: string, previousRadiusIp?: string) {
  if (previousRadiusIp && previousRadiusIp !== r.radius_ip) await db('nas').where({ nasname: previousRadiusIp }).delete();
  const row = { nasname: r.radius_ip, shortname: r.name.slice(0, 32), type: 'other', secret, description: `ispgate router ${r.id}` };
  const n = await db('nas').where({ nasname: r.radius_ip }).update(row);
  if (!n) await db('nas').insert(row);
}

export async function removeNas(db: Db, radiusIp: string): Promise<void> {
  await db('nas').where({ nasname: radiusIp }).delete();
}

export interface SessionRow {
  radacctid: number | string;
  acctsessionid: string;
  acctuniqueid: string;
  username: string;
  nasipaddress: string;
  framedipaddress: string;
  callingstationid: string;
  acctstarttime: string | null;
  acctupdatetime: string | null;
  acctsessiontime: number | null;
  acctinputoctets: number | string | null;
  acctoutputoctets: number | string | null;
}

export function publicSession(s: SessionRow, routersByIp: Map<string, RouterRowDb>) {
  const router = routersByIp.get(s.nasipaddress);
  return {
    id: Number(s.radacctid),
    acct_session_id: s.acctsessionid,
    username: s.username,
    nas_ip: s.nasipaddress,
    router_id: router?.id ?? null,
    router_name: router?.name ?? null,
    framed_ip: s.framedipaddress || null,
    calling_station_id: s.callingstationid || null,
    started_at: toIso(s.acctstarttime),
    updated_at: toIso(s.acctupdatetime),
    session_time_seconds: s.acctsessiontime === null ? null : Number(s.acctsessiontime),
    // Router point of view: input = what the subscriber uploaded, output = what they downloaded.
    upload_bytes: s.acctinputoctets === null ? 0 : Number(s.acctinputoctets),
    download_bytes: s.acctoutputoctets === null ? 0 : Number(s.acctoutputoctets),
  };
}

export async function openSessionsOf(db: Db, username: string, acctSessionId?: string): Promise<SessionRow[]> {
  const q = db<SessionRow>('radacct').whereNull('acctstoptime').where({ username });
  if (acctSessionId) q.where({ acctsessionid: acctSessionId });
  return q.orderBy('radacctid');
}

export interface DynAuthOutcome {
  acct_session_id: string;
  nas_ip: string;
  result: DynAuthResult['result'] | 'unknown_nas';
  code?: string;
  error_cause?: string | number | null;
  detail?: string;
}

async function routersByRadiusIp(db: Db): Promise<Map<string, RouterRowDb>> {
  const rows = await db<RouterRowDb>('routers').select('*');
  return new Map(rows.map((r) => [r.radius_ip, r]));
}

async function toEachSession(
  ctx: NetCtx,
  sessions: SessionRow[],
  send: (target: { host: string; port: number; secret: string }, s: SessionRow) => Promise<DynAuthResult>,
): Promise<DynAuthOutcome[]> {
  const routers = await routersByRadiusIp(ctx.db);
  return mapLimit(
    sessions,
    DYNAUTH_CONCURRENCY,
    async (s) => {
      const router = routers.get(s.nasipaddress);
      if (!router) {
        return { acct_session_id: s.acctsessionid, nas_ip: s.nasipaddress, result: 'unknown_nas' as const, detail: 'no router has this RADIUS IP' };
      }
      const target = { host: router.radius_ip, port: router.coa_port, secret: ctx.secrets.decrypt(router.radius_secret_enc) };
      const r = await send(target, s);
      const out: DynAuthOutcome = { acct_session_id: s.acctsessionid, nas_ip: s.nasipaddress, result: r.result };
      if (r.result !== 'timeout') out.code = r.code;
      if (r.result === 'nak') out.error_cause = r.error_cause;
      if (r.result === 'timeout') out.detail = r.detail;
      ctx.log.info('radius dynamic authorization', { username: s.username, nas: s.nasipaddress, result: r.result });
      return out;
    },
  );
}

/**
 * Each request holds a UDP socket until its answer or timeout. A plan edit reaches every online subscriber on
 * the plan, thousands at a big ISP: all at once would exhaust file descriptors (EMFILE) and flood the NAS.
 */
export const DYNAUTH_CONCURRENCY = 32;

/** Like Promise.all over items.map(fn), with at most `limit` calls in flight; results keep the input order. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

const identity = (s: SessionRow) => ({
  userName: s.username,
  acctSessionId: s.acctsessionid,
  framedIpAddress: s.framedipaddress || null,
});
const opts = (ctx: Pick<NetCtx, 'config'>) => ({ timeoutMs: ctx.config.COA_TIMEOUT_MS, retries: ctx.config.COA_RETRIES });

export function disconnectSessions(ctx: NetCtx, sessions: SessionRow[]): Promise<DynAuthOutcome[]> {
  return toEachSession(ctx, sessions, (t, s) => sendDisconnect(t, identity(s), opts(ctx)));
}

export function coaSessions(ctx: NetCtx, sessions: SessionRow[], rateLimit: string): Promise<DynAuthOutcome[]> {
  return toEachSession(ctx, sessions, (t, s) => sendCoa(t, identity(s), { rateLimit }, opts(ctx)));
}

export function summarise(outcomes: DynAuthOutcome[]) {
  return {
    acked: outcomes.filter((o) => o.result === 'ack').length,
    naked: outcomes.filter((o) => o.result === 'nak').length,
    timed_out: outcomes.filter((o) => o.result === 'timeout').length,
    unknown_nas: outcomes.filter((o) => o.result === 'unknown_nas').length,
  };
}

/**
 * When a request aimed at sessions got no ACK at all, the action fails with the reason of the first outcome:
 * a NAK and silence are different problems for an operator (wrong session vs. wrong secret/unreachable NAS).
 */
export function failIfNoneAcked(kind: 'disconnect' | 'coa', outcomes: DynAuthOutcome[]): void {
  if (outcomes.length === 0 || outcomes.some((o) => o.result === 'ack')) return;
  const first = outcomes[0];
  const extra = { sessions: outcomes };
  if (first.result === 'nak') {
    throw new AppError(
      `${kind}_nak`,
      `The NAS ${first.nas_ip} refused the ${kind === 'coa' ? 'CoA' : 'Disconnect'} (${first.code}, Error-Cause ${first.error_cause ?? 'none'}).`,
      502,
      { extra },
    );
  }
  if (first.result === 'unknown_nas') {
    throw new AppError('nas_unknown', `The session is on NAS ${first.nas_ip}, which is not one of the configured routers' RADIUS IPs.`, 409, { extra });
  }
  throw new AppError(
    'nas_timeout',
    `The NAS ${first.nas_ip} did not answer the ${kind === 'coa' ? 'CoA' : 'Disconnect'} request. Check its RADIUS secret, CoA port and that "/radius incoming accept=yes" is set.`,
    504,
    { extra },
  );
}

export function rateLimitForPlan(plan: PlanRow): string {
  return buildRateLimit(speedProfileOf(plan));
}
