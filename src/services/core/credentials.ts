import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type Redis from 'ioredis';
import type { Actor } from '../../domain/actor';
import { isSqlite, nowUtc } from '../../db/knex';
import { AppError } from '../../errors';
import { fullPermissions } from '../../gateway/permissions';
import { sha256Hex } from '../../secrets';
import { effectivePermissions, type AdminRow } from './admins';

const KEY_PREFIX = 'isg_';

/** A cached answer is trusted this long at most, even if no change was heard of (a lost message, a missed write). */
export const CREDENTIAL_TTL_MS = 10_000;
/**
 * After a change to a credential is seen (here or on another instance), nothing is cached for this long: the write
 * is seen when it is sent, and the commit that makes it visible to readers comes a moment later.
 */
const QUARANTINE_MS = 1_000;

export interface ApiKeyRow {
  id: number;
  name: string;
  admin_id: number | null;
  last_used_at: string | null;
}

export interface ApiKeyCaller {
  actor: Actor;
  key: ApiKeyRow;
}

export interface SessionCaller {
  actor: Actor;
  csrfHash: string;
}

interface Entry<T> {
  value: T;
  /** ms since epoch after which the entry is read again. */
  until: number;
}

/**
 * Which writes change who a credential is: any write to these tables except the bookkeeping columns below. Inserts
 * (a new key, a new session) change no cached answer: unknown credentials are never cached.
 */
const AUTH_TABLES = new Set(['api_keys', 'sessions', 'admins', 'admin_recovery_codes']);
const BOOKKEEPING = new Set(['api_keys.last_used_at', 'api_keys.active_router_id', 'sessions.active_router_id', 'sessions.last_seen_at']);
const WRITE_RE = /^\s*(update|delete\s+from|delete|replace\s+into|truncate(?:\s+table)?|drop\s+table(?:\s+if\s+exists)?|alter\s+table)\s+[`"]?(\w+)[`"]?/i;
const SET_RE = /\bset\s+([\s\S]*?)\s+where\b/i;
const COLUMN_RE = /[`"]?(\w+)[`"]?\s*=/g;

/** Whether a statement may change a credential's answer (see AUTH_TABLES); exported for its unit test. */
export function changesCredentials(sql: string): boolean {
  const m = WRITE_RE.exec(sql);
  if (!m) return false;
  const table = m[2].toLowerCase();
  if (!AUTH_TABLES.has(table)) return false;
  if (!/^update/i.test(m[1])) return true;
  const set = SET_RE.exec(sql);
  if (!set) return true;
  const columns = [...set[1].matchAll(COLUMN_RE)].map((c) => `${table}.${c[1].toLowerCase()}`);
  return columns.length === 0 || columns.some((c) => !BOOKKEEPING.has(c));
}

/**
 * The two statements of a key lookup (the key by its hash, its admin by id) as Knex's builder writes them, compiled
 * here once: the builder would build and compile the same text again on every lookup, several µs each. Identifiers
 * are quoted with backticks, which SQLite and MariaDB both accept.
 */
const KEY_BY_HASH_SQL = 'select `id`, `name`, `admin_id`, `last_used_at` from `api_keys` where `key_hash` = ? and `revoked_at` is null limit ?';
const ADMIN_BY_ID_SQL = 'select * from `admins` where `id` = ? limit ?';

/** The first row of a select run through Knex (its pool, query events and deadline) without its query builder. */
async function firstRow<T>(db: Knex, sql: string, bindings: readonly Knex.Value[]): Promise<T | undefined> {
  const r = await db.raw(sql, bindings);
  // better-sqlite3 answers a raw select with its rows, mysql2 with [rows, fields].
  const rows = (isSqlite(db) ? r : r[0]) as T[];
  return rows[0];
}

/** The admin row an authenticated caller acts for, as read when its credential was checked (me uses it). */
const callerAdmins = new WeakMap<Actor, AdminRow>();
export function callerAdmin(actor: Actor): AdminRow | undefined {
  return callerAdmins.get(actor);
}

/**
 * Who an API key or a panel session is, cached in this process for a few seconds so a request reads nothing on a
 * hit (one key read and one admin read on a miss, never a write).
 *
 * Revocation is effective at once: every statement run through a database this cache serves is watched (Knex's
 * `query` event), and one that changes api_keys, sessions, admins or recovery codes (a revoked key, an edited or
 * deleted admin, a new password, a 2FA change, a logout, however it was made: action, CLI, job) empties the cache
 * and stops caching for a moment while it commits. With Redis (several instances), the change is published and
 * every other instance empties its cache too; while that subscription is down nothing is cached at all.
 */
export class Credentials {
  private readonly entries = new Map<string, Entry<ApiKeyCaller | SessionCaller>>();
  private generation = 0;
  private noStoreUntil = 0;
  private readonly dbIds = new WeakMap<Knex, number>();
  private nextDbId = 1;
  /** Transactions that wrote to a credential table, flushed again when they commit. */
  private readonly dirtyTx = new Set<string>();
  private readonly instanceId = crypto.randomUUID();
  private readonly channel: string;
  private subscriber: Redis | null = null;
  /** False while Redis is configured but the subscription is not live: then nothing is served from the cache. */
  private listening: boolean;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly opts: { redis?: Redis; redisPrefix?: string; ttlMs?: number; clock?: () => number; onError?: (e: unknown) => void } = {}) {
    this.channel = `${opts.redisPrefix ?? ''}auth:changed`;
    this.listening = !opts.redis;
    if (opts.redis) this.subscribe(opts.redis);
  }

  /** Whether answers are served from the cache now (false while a configured Redis subscription is down). */
  get live(): boolean {
    return this.listening;
  }

  private now() {
    return this.opts.clock ? this.opts.clock() : Date.now();
  }

  private subscribe(redis: Redis) {
    const sub = redis.duplicate();
    this.subscriber = sub;
    // The subscription lives as long as the runtime's own connection: whoever ends that one ends this one too.
    redis.once('end', () => void this.close());
    const down = () => {
      this.listening = false;
      this.flushLocal();
    };
    sub.on('close', down);
    sub.on('end', down);
    sub.on('reconnecting', down);
    sub.on('error', (e) => this.opts.onError?.(e));
    // ioredis subscribes again by itself after a reconnect; 'ready' follows the subscription being restored.
    sub.on('ready', () => {
      if (this.subscriber === sub) void sub.subscribe(this.channel).then(() => { this.flushLocal(); this.listening = true; }, (e) => this.opts.onError?.(e));
    });
    sub.on('message', (channel: string, message: string) => {
      if (channel === this.channel && message !== this.instanceId) this.flushLocal();
    });
  }

  /**
   * Watches a database's statements (every database answered from the cache is watched from its first lookup; the
   * runtime watches its main database from the start, so a change made by the CLI is published too).
   */
  watch(db: Knex): number {
    let id = this.dbIds.get(db);
    if (id !== undefined) return id;
    id = this.nextDbId++;
    this.dbIds.set(db, id);
    db.on('query', (q: { sql?: string; __knexTxId?: string }) => this.observe(q));
    return id;
  }

  /** Called for every statement sent on a watched database. */
  private observe(q: { sql?: string; __knexTxId?: string }) {
    const sql = q.sql;
    if (typeof sql !== 'string') return;
    const tx = q.__knexTxId;
    if (tx && this.dirtyTx.size && /^\s*(commit|rollback)\b/i.test(sql) && this.dirtyTx.delete(tx)) return this.changed();
    if (!changesCredentials(sql)) return;
    this.changed();
    if (tx) this.dirtyTx.add(tx);
  }

  /** A credential changed here: empty this cache and every other instance's. */
  changed() {
    this.flushLocal();
    if (this.opts.redis) void this.opts.redis.publish(this.channel, this.instanceId).catch((e) => this.opts.onError?.(e));
  }

  private flushLocal() {
    this.generation++;
    this.entries.clear();
    this.noStoreUntil = this.now() + QUARANTINE_MS;
    // Lookups that began inside the quarantine and end after it must not store what they read then.
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.generation++;
    }, QUARANTINE_MS);
    t.unref();
    this.timers.add(t);
  }

  private hit<T extends ApiKeyCaller | SessionCaller>(cacheKey: string): T | undefined {
    if (!this.listening) return undefined;
    const e = this.entries.get(cacheKey);
    if (!e) return undefined;
    if (e.until <= this.now()) {
      this.entries.delete(cacheKey);
      return undefined;
    }
    return e.value as T;
  }

  private store(cacheKey: string, generation: number, value: ApiKeyCaller | SessionCaller, until: number) {
    if (this.opts.ttlMs === 0 || !this.listening || generation !== this.generation || this.now() < this.noStoreUntil) return;
    if (this.entries.size >= 10_000) this.entries.clear();
    this.entries.set(cacheKey, { value, until });
  }

  /** The caller of a Bearer API key, or null when the key is unknown or revoked; refused when its admin is gone. */
  async apiKey(db: Knex, key: string): Promise<ApiKeyCaller | null> {
    if (!key.startsWith(KEY_PREFIX) || key.length > 200) return null;
    const hash = sha256Hex(key);
    const cacheKey = `${this.watch(db)}:k:${hash}`;
    const cached = this.hit<ApiKeyCaller>(cacheKey);
    if (cached) return cached;
    const generation = this.generation;
    const row = await firstRow<ApiKeyRow>(db, KEY_BY_HASH_SQL, [hash, 1]);
    if (!row) return null;
    const actor = await this.credentialActor(db, row.admin_id ?? null, `key:${row.name}`, 'API key');
    actor.apiKeyId = row.id;
    const value = { actor, key: row };
    this.store(cacheKey, generation, value, this.now() + (this.opts.ttlMs ?? CREDENTIAL_TTL_MS));
    return value;
  }

  /** The caller of a panel session cookie, or null when the session is unknown, expired or its admin is gone. */
  async session(db: Knex, token: string): Promise<SessionCaller | null> {
    const hash = sha256Hex(token);
    const cacheKey = `${this.watch(db)}:s:${hash}`;
    const cached = this.hit<SessionCaller & { expires: number }>(cacheKey);
    if (cached && cached.expires > this.now()) return cached;
    const generation = this.generation;
    const s = await db('sessions').where({ token_hash: hash }).where('expires_at', '>', nowUtc()).first('id', 'admin_id', 'csrf_hash', 'expires_at');
    if (!s) return null;
    const admin = await firstRow<AdminRow>(db, ADMIN_BY_ID_SQL, [s.admin_id, 1]);
    if (!admin) return null;
    const actor: Actor = { type: 'session', apiKeyId: null, adminId: admin.id, sessionId: s.id, username: admin.username, permissions: effectivePermissions(admin) };
    callerAdmins.set(actor, admin);
    const expires = Date.parse(String(s.expires_at instanceof Date ? s.expires_at.toISOString() : `${String(s.expires_at).replace(' ', 'T')}Z`));
    const value = { actor, csrfHash: s.csrf_hash as string, expires };
    this.store(cacheKey, generation, value, Math.min(this.now() + (this.opts.ttlMs ?? CREDENTIAL_TTL_MS), Number.isFinite(expires) ? expires : 0));
    return value;
  }

  /**
   * The actor of a credential that acts for an admin (an API key, a dialect's token or client): that admin's current
   * permissions, or every permission for a platform credential (no admin). Refused when the admin no longer exists.
   */
  async credentialActor(db: Knex, adminId: number | null, platformName: string, what = 'credential'): Promise<Actor> {
    if (!adminId) return { type: 'api_key', apiKeyId: null, adminId, sessionId: null, username: platformName, permissions: fullPermissions() };
    const admin = await firstRow<AdminRow>(db, ADMIN_BY_ID_SQL, [adminId, 1]);
    if (!admin) throw new AppError('unauthorized', `The ${what} belongs to an admin that no longer exists.`, 401);
    const actor: Actor = { type: 'api_key', apiKeyId: null, adminId, sessionId: null, username: admin.username, permissions: effectivePermissions(admin) };
    callerAdmins.set(actor, admin);
    return actor;
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const sub = this.subscriber;
    this.subscriber = null;
    this.listening = !this.opts.redis;
    sub?.disconnect();
  }
}
