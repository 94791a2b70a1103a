/**
 * Multi-tenant provisioning: each tenant is an isolated ISP with its own database, domains, branding and
 * limits. The tenants table lives in the platform (default tenant's) database; only the platform operates it.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Knex } from 'knex';
import { createKnex, dialectOf, isSqlite, nowUtc, parseJson, toIso } from '../../db/knex';
import { migrateLatest } from '../../db/migrate';
import type { TenantDatabases } from '../../db/tenants';
import { translateDbError } from '../../db/errors';
import { AppError, errors } from '../../errors';
import type { ServiceContext, Tenant, UploadedFile } from '../context';
import { createAdmin } from '../core/admins';
import { createApiKey } from '../core/api-keys';
import { putSettings, storeImage } from '../core/settings';
import { randomToken } from '../../secrets';
import { Steps } from './steps';
import { createStore, dropStore, SLUG_RE, storeSize, type TenantStore } from './storage';
import { containsPattern, LIKE_ESCAPE } from '../../db/like';
import { Download } from '../../domain/download';

export type TenantsCtx = Pick<ServiceContext, 'db' | 'tenant' | 'actor' | 'config' | 'log' | 'secrets'> & Partial<Pick<ServiceContext, 'jobs'>> & { tenants?: TenantDatabases };

/** The platform job that cuts a suspended tenant's service or gives it back (services/tenants/service-cut.ts). */
export const SERVICE_CUT_TASK = 'tenants.service_cut';
/** The suspend_reason of subscribers whose service a tenant suspension cut; resume lifts only those. */
export const TENANT_CUT_REASON = 'ISP suspended by the platform operator';

export interface Branding {
  company_name?: string | null;
  primary_color?: string | null;
  secondary_color?: string | null;
  logo_url?: string | null;
  favicon_url?: string | null;
}

export interface ProvisionInput {
  slug: string;
  name: string;
  domains: string[];
  company_name?: string | null;
  primary_color?: string | null;
  secondary_color?: string | null;
  language?: string;
  timezone?: string;
  admin_username: string;
  admin_email: string;
  admin_password?: string;
  max_subscribers?: number | null;
  max_routers?: number | null;
}

export interface ProvisionOptions {
  /** Tests point this at a directory whose migration fails, to prove a half-way failure leaves nothing behind. */
  migrationsDir?: string;
  /** Branding files the caller uploaded (logo, favicon). */
  files?: UploadedFile[];
}

interface TenantRow {
  id: number;
  slug: string;
  name: string;
  hostname: string | null;
  database_url_enc: string | null;
  status: string;
  branding: string | null;
  language: string | null;
  timezone: string | null;
  max_subscribers: number | null;
  max_routers: number | null;
  db_name: string | null;
  db_user: string | null;
  suspended_at: string | null;
  service_cut_at: string | null;
  service_job_id: string | null;
  created_at: string;
  updated_at: string | null;
}

/** A tenant still `provisioning` after this long was abandoned by a crashed process; tenant_delete may remove it. */
const ABANDONED_AFTER_MS = 10 * 60_000;

const RESERVED_SLUGS = new Set(['default', 'admin', 'api', 'www', 'platform']);

/** Tenant actions belong to the platform: a tenant's own admins, whatever their role, are refused. */
export function assertPlatform(ctx: Pick<ServiceContext, 'tenant'> & { tenants?: TenantDatabases }): TenantDatabases {
  if (ctx.tenant.id !== null) throw errors.forbidden('Tenants are managed by the platform operator only.');
  if (!ctx.tenants) throw new AppError('internal_error', 'The tenant registry is not available in this context.', 500);
  return ctx.tenants;
}

/**
 * The plan limits of the request's tenant, checked inside the transaction that inserts the subscriber or router
 * (called first in it), so the check and the insert are one: on MariaDB the kind's guard row is locked (concurrent
 * adds queue on it until the one holding it commits) and the count is a locking read, which sees every committed
 * row whatever the transaction read before; SQLite has one writer at a time. The platform tenant and tenants
 * without a limit are not limited and lock nothing.
 */
export async function assertTenantCapacity(ctx: { db: Knex | Knex.Transaction; tenant?: Tenant }, kind: 'subscribers' | 'routers', trx: Knex.Transaction): Promise<void> {
  const max = kind === 'subscribers' ? ctx.tenant?.limits?.max_subscribers : ctx.tenant?.limits?.max_routers;
  if (max === null || max === undefined) return;
  const db = trx;
  const table = kind === 'subscribers' ? 'customers' : 'routers';
  let n: number;
  if (isSqlite(db as Knex)) n = Number((await db(table).count({ n: '*' }))[0].n);
  else {
    const guard = () => db('tenant_limit_guards').where({ kind }).forUpdate().first('kind');
    if (!(await guard())) {
      await db('tenant_limit_guards').insert({ kind }).onConflict('kind').ignore();
      await guard();
    }
    n = Number((await db(table).count({ n: '*' }).forShare())[0].n);
  }
  if (n >= max)
    throw new AppError('tenant_limit_reached', `This ISP's plan allows at most ${max} ${kind}; ask the platform operator to raise the limit.`, 403, { extra: { limit: max } });
}

export function normalizeDomains(list: string[]): string[] {
  const out = [...new Set(list.map((d) => d.trim().toLowerCase().replace(/\.$/, '')).filter(Boolean))];
  if (!out.length) throw errors.missing('domains');
  if (out.length > 20) throw errors.invalid('domains', 'A tenant has at most 20 domains.');
  for (const d of out) {
    if (d.length > 191 || !/^(?=.{1,191}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/.test(d))
      throw errors.invalid('domains', `"${d.slice(0, 80)}" is not a host name.`);
  }
  return out;
}

async function assertDomainsFree(db: Knex | Knex.Transaction, domains: string[], exceptTenant?: number) {
  const q = db('tenant_domains').whereIn('hostname', domains);
  if (exceptTenant) q.whereNot({ tenant_id: exceptTenant });
  const taken = await q.first('hostname');
  const legacy = await db('tenants').whereIn('hostname', domains).modify((b) => (exceptTenant ? b.whereNot({ id: exceptTenant }) : b)).first('hostname');
  const h = taken?.hostname ?? legacy?.hostname;
  if (h) throw new AppError('duplicate_domain', `The domain ${h} already belongs to another tenant.`, 409, { details: { domains: `${h} is taken` } });
}

function storeOf(config: ServiceContext['config'], row: TenantRow): TenantStore {
  const dialect = dialectOf(config.DATABASE_URL);
  return {
    dialect,
    url: '',
    dbName: row.db_name,
    dbUser: row.db_user,
    file: dialect === 'sqlite' ? path.join(config.dataDir, 'tenants', `${row.slug}.sqlite`) : null,
  };
}

async function domainsOf(db: Knex, ids: number[]): Promise<Map<number, string[]>> {
  const m = new Map<number, string[]>();
  if (!ids.length) return m;
  for (const r of await db('tenant_domains').whereIn('tenant_id', ids).orderBy('id')) {
    const l = m.get(r.tenant_id) ?? [];
    l.push(r.hostname);
    m.set(r.tenant_id, l);
  }
  return m;
}

function publicTenant(r: TenantRow, domains: string[]) {
  return {
    id: Number(r.id),
    slug: r.slug,
    name: r.name,
    status: r.status,
    domains: r.hostname && !domains.includes(r.hostname) ? [r.hostname, ...domains] : domains,
    branding: parseJson<Branding>(r.branding, {}),
    language: r.language,
    timezone: r.timezone,
    limits: { max_subscribers: r.max_subscribers ?? null, max_routers: r.max_routers ?? null },
    suspended_at: toIso(r.suspended_at),
    service_cut_at: toIso(r.service_cut_at ?? null),
    created_at: toIso(r.created_at),
    updated_at: toIso(r.updated_at),
  };
}

async function requireTenant(db: Knex, ref: { id?: number; slug?: string }): Promise<TenantRow> {
  if (ref.id === undefined && !ref.slug) throw errors.missing('id');
  const q = db('tenants');
  if (ref.id !== undefined) q.where({ id: ref.id });
  else q.where({ slug: ref.slug });
  const row = (await q.first()) as TenantRow | undefined;
  if (!row) throw new AppError('tenant_not_found', `No tenant ${ref.id ?? ref.slug}.`, 404);
  return row;
}

/** Branding images: type read from the bytes (settings.storeImage), kept under the tenant's own upload folder. */
async function storeBrandingFiles(ctx: TenantsCtx, slug: string, files: UploadedFile[]): Promise<{ urls: Branding; written: string[] }> {
  const urls: Branding = {};
  const written: string[] = [];
  for (const f of files) if (f.field !== 'logo' && f.field !== 'favicon') throw new AppError('invalid_upload', `Unexpected file field "${f.field}"; tenants take "logo" and "favicon".`, 422);
  for (const field of ['logo', 'favicon'] as const) {
    const file = files.find((f) => f.field === field);
    if (!file) continue;
    const url = await storeImage(ctx.config.dataDir, slug, field, file);
    urls[`${field}_url`] = url;
    written.push(path.join(ctx.config.dataDir, url.replace(/^\//, '')));
  }
  return { urls, written };
}

async function writeTenantSettings(db: Knex, values: { name?: string; branding: Branding; language?: string | null; timezone?: string | null }) {
  const general: Record<string, unknown> = {};
  const b = values.branding;
  if (b.company_name !== undefined) general.company_name = b.company_name;
  if (b.logo_url !== undefined) general.logo_url = b.logo_url;
  if (b.favicon_url !== undefined) general.favicon_url = b.favicon_url;
  if (values.language) general.language = values.language;
  if (values.timezone) general.timezone = values.timezone;
  await putSettings(db, 'general', general);
  const colours: Record<string, unknown> = {};
  if (b.primary_color !== undefined) colours.primary_color = b.primary_color;
  if (b.secondary_color !== undefined) colours.secondary_color = b.secondary_color;
  await putSettings(db, 'branding', colours);
}

/**
 * tenant_provision: row (slug and domains reserved) → database (+ user) → branding files → migrations as the
 * tenant → settings, first admin and API key → row active. A failure at any step undoes the earlier ones.
 */
export async function provisionTenant(ctx: TenantsCtx, input: ProvisionInput, opts: ProvisionOptions = {}) {
  const registry = assertPlatform(ctx);
  const main = ctx.db as Knex;
  if (!SLUG_RE.test(input.slug)) throw errors.invalid('slug', 'The slug must be 2-31 lower-case letters, digits or "-", starting with a letter.');
  if (RESERVED_SLUGS.has(input.slug)) throw errors.invalid('slug', `The slug "${input.slug}" is reserved.`);
  const domains = normalizeDomains(input.domains);
  if (input.admin_password !== undefined && input.admin_password.length < 10) throw errors.invalid('admin_password', 'The admin password must be at least 10 characters.');
  if (await main('tenants').where({ slug: input.slug }).first('id')) throw new AppError('duplicate_slug', `A tenant "${input.slug}" exists already.`, 409, { details: { slug: 'already exists' } });
  await assertDomainsFree(main, domains);

  const steps = new Steps(ctx.log);
  const branding: Branding = { company_name: input.company_name ?? input.name, primary_color: input.primary_color ?? null, secondary_color: input.secondary_color ?? null };
  let tenantDb: Knex | null = null;
  try {
    const tenantId = await steps.run(
      'tenant row',
      () =>
        main.transaction(async (trx) => {
          const now = nowUtc();
          let id: number;
          try {
            [id] = await trx('tenants').insert({
              slug: input.slug,
              name: input.name,
              status: 'provisioning',
              branding: JSON.stringify(branding),
              language: input.language ?? null,
              timezone: input.timezone ?? null,
              max_subscribers: input.max_subscribers ?? null,
              max_routers: input.max_routers ?? null,
              created_at: now,
              updated_at: now,
            });
            await trx('tenant_domains').insert(domains.map((hostname) => ({ tenant_id: Number(id), hostname })));
          } catch (e) {
            // Two provisionings racing for one slug or domain: the loser is told, the winner is untouched.
            const t = translateDbError(e);
            if (t?.code === 'duplicate_slug') throw new AppError('duplicate_slug', `A tenant "${input.slug}" exists already.`, 409, { details: { slug: 'already exists' } });
            if (t?.code === 'duplicate_hostname') throw new AppError('duplicate_domain', 'One of the domains already belongs to another tenant.', 409);
            throw t ?? e;
          }
          return Number(id);
        }),
      async (id) => {
        await main('tenant_domains').where({ tenant_id: id }).delete();
        await main('tenants').where({ id }).delete();
      },
    );

    const store = await steps.run(
      'database',
      async () => {
        const s = await createStore(main, ctx.config.DATABASE_URL, ctx.config.dataDir, input.slug);
        // Recorded at once: if this process dies before the end, tenant_delete still knows what to drop.
        await main('tenants').where({ id: tenantId }).update({ db_name: s.dbName, db_user: s.dbUser, updated_at: nowUtc() });
        return s;
      },
      (s) => dropStore(main, s),
    );

    const files = await steps.run(
      'branding files',
      () => storeBrandingFiles(ctx, input.slug, opts.files ?? []),
      async (f) => {
        for (const w of f.written) fs.rmSync(w, { force: true });
      },
    );
    Object.assign(branding, files.urls);

    tenantDb = createKnex(store.url);
    const tdb = tenantDb;
    // Migrations run as the tenant's own user: proof that it can, and that no platform credential is needed later.
    await steps.run('migrations', async () => {
      // Without the per-query deadline, as every migration run: a CREATE on a busy server may take longer.
      await migrateLatest(tdb, opts.migrationsDir);
    });

    const password = input.admin_password ?? randomToken(15);
    const first = await steps.run('admin and key', () =>
      tdb.transaction(async (trx) => {
        await writeTenantSettings(trx as unknown as Knex, { branding, language: input.language, timezone: input.timezone });
        const admin = await createAdmin(trx as unknown as Knex, { username: input.admin_username, email: input.admin_email, password, role: 'superadmin', isPrimary: true });
        const key = await createApiKey(trx as unknown as Knex, 'initial', admin.id);
        return { admin, key };
      }),
    );

    await steps.run('activate', async () => {
      await main('tenants')
        .where({ id: tenantId })
        .update({ status: 'active', database_url_enc: ctx.secrets.encrypt(store.url), db_name: store.dbName, db_user: store.dbUser, branding: JSON.stringify(branding), updated_at: nowUtc() });
    });
    await tdb.destroy();
    tenantDb = null;
    // Hosts looked up before (and cached as "no tenant") now belong to this tenant.
    await registry.forget(tenantId, domains);
    ctx.log.info('tenant provisioned', { tenant: input.slug, id: tenantId });
    const row = await requireTenant(main, { id: tenantId });
    return {
      tenant: publicTenant(row, domains),
      admin: { username: first.admin.username, email: first.admin.email, password },
      api_key: first.key.key,
    };
  } catch (e) {
    if (tenantDb) await tenantDb.destroy().catch(() => undefined);
    await steps.rollback();
    throw e;
  }
}

export async function listTenants(ctx: TenantsCtx, f: { status?: string; search?: string } = {}) {
  assertPlatform(ctx);
  const db = ctx.db as Knex;
  const q = db('tenants').orderBy('id');
  if (f.status) q.where({ status: f.status });
  if (f.search) q.where((b) => b.whereRaw(`slug LIKE ? ${LIKE_ESCAPE}`, [containsPattern(f.search!)]).orWhereRaw(`name LIKE ? ${LIKE_ESCAPE}`, [containsPattern(f.search!)]));
  const rows = (await q) as TenantRow[];
  const doms = await domainsOf(db, rows.map((r) => r.id));
  return { tenants: rows.map((r) => publicTenant(r, doms.get(r.id) ?? [])), total: rows.length };
}

export async function getTenant(ctx: TenantsCtx, ref: { id?: number; slug?: string }) {
  const registry = assertPlatform(ctx);
  const db = ctx.db as Knex;
  const row = await requireTenant(db, ref);
  const doms = await domainsOf(db, [row.id]);
  const job = row.service_job_id && ctx.jobs ? await ctx.jobs.get(row.service_job_id) : null;
  const out = {
    ...publicTenant(row, doms.get(row.id) ?? []),
    subscribers: null as number | null,
    routers: null as number | null,
    database_size: null as number | null,
    last_activity_at: null as string | null,
    // The last service cut or restore, with its progress and result (also readable with job_status).
    service_job: job ? { id: job.id, state: job.state, progress: job.progress, result: job.result, error: job.error, finished_at: job.finished_at } : null,
  };
  if (row.database_url_enc) {
    try {
      const tdb = await registry.dbFor(row.id);
      const [c, r, a, k] = await Promise.all([
        tdb('customers').count({ n: '*' }),
        tdb('routers').count({ n: '*' }),
        tdb('audit_log').max({ at: 'created_at' }),
        tdb('api_keys').max({ at: 'last_used_at' }),
      ]);
      out.subscribers = Number(c[0].n);
      out.routers = Number(r[0].n);
      const last = [a[0]?.at, k[0]?.at].filter(Boolean).sort().pop();
      out.last_activity_at = toIso(last ?? null);
    } catch (e) {
      ctx.log.warn('tenant database did not answer', { tenant: row.slug, err: (e as Error)?.message });
    }
    out.database_size = await storeSize(db, storeOf(ctx.config, row)).catch(() => null);
  }
  return out;
}

export interface EditInput {
  id?: number;
  slug?: string;
  name?: string;
  domains?: string[];
  company_name?: string | null;
  primary_color?: string | null;
  secondary_color?: string | null;
  language?: string;
  timezone?: string;
  max_subscribers?: number | null;
  max_routers?: number | null;
}

export async function editTenant(ctx: TenantsCtx, input: EditInput, uploads: UploadedFile[] = []) {
  const registry = assertPlatform(ctx);
  const db = ctx.db as Knex;
  const row = await requireTenant(db, input);
  const domains = input.domains !== undefined ? normalizeDomains(input.domains) : undefined;
  if (domains) await assertDomainsFree(db, domains, row.id);
  const branding: Branding = { ...parseJson<Branding>(row.branding, {}) };
  for (const k of ['company_name', 'primary_color', 'secondary_color'] as const) if (input[k] !== undefined) branding[k] = input[k];
  // Files first (outside the transaction); if the row update fails they are removed again.
  const files = await storeBrandingFiles(ctx, row.slug, uploads);
  Object.assign(branding, files.urls);
  const oldDomains = (await domainsOf(db, [row.id])).get(row.id) ?? [];
  try {
    await db.transaction(async (trx) => {
      const patch: Record<string, unknown> = { branding: JSON.stringify(branding), updated_at: nowUtc() };
      if (input.name !== undefined) patch.name = input.name;
      if (input.language !== undefined) patch.language = input.language;
      if (input.timezone !== undefined) patch.timezone = input.timezone;
      if (input.max_subscribers !== undefined) patch.max_subscribers = input.max_subscribers;
      if (input.max_routers !== undefined) patch.max_routers = input.max_routers;
      await trx('tenants').where({ id: row.id }).update(patch);
      if (domains) {
        await trx('tenant_domains').where({ tenant_id: row.id }).delete();
        await trx('tenant_domains').insert(domains.map((hostname) => ({ tenant_id: row.id, hostname })));
        if (row.hostname && !domains.includes(row.hostname)) await trx('tenants').where({ id: row.id }).update({ hostname: null });
      }
    });
  } catch (e) {
    for (const w of files.written) fs.rmSync(w, { force: true });
    throw e;
  }
  await registry.forget(row.id, [...oldDomains, ...(domains ?? [])]);
  if (row.database_url_enc && row.status !== 'provisioning') {
    // The tenant's panel reads its branding from its own settings: keep them in step (after commit).
    try {
      await writeTenantSettings(await registry.dbFor(row.id), { branding, language: input.language, timezone: input.timezone });
    } catch (e) {
      ctx.log.warn('tenant settings not updated', { tenant: row.slug, err: (e as Error)?.message });
    }
  }
  return getTenant(ctx, { id: row.id });
}

function jobsOf(ctx: TenantsCtx): NonNullable<TenantsCtx['jobs']> {
  if (!ctx.jobs) throw new AppError('internal_error', 'Background jobs are not available in this context.', 500);
  return ctx.jobs;
}

/**
 * One service job (cut or restore) per tenant at a time: a queued one is cancelled (the new request replaces
 * it), a running one makes the caller wait (tenant_busy) so a restore never races the cut it undoes.
 */
async function settleServiceJob(ctx: TenantsCtx, row: TenantRow): Promise<void> {
  if (!row.service_job_id) return;
  const jobs = jobsOf(ctx);
  const busy = () => new AppError('tenant_busy', `The service of ${row.slug} is being cut or restored (job ${row.service_job_id}); try again when job_status says it finished.`, 409, { extra: { job_id: row.service_job_id } });
  const job = await jobs.get(row.service_job_id);
  if (!job || job.state === 'completed' || job.state === 'failed') return;
  if (job.state === 'running') throw busy();
  if (!(await jobs.cancel(job.id, 'Replaced by a later tenant_suspend or tenant_resume.'))) {
    const again = await jobs.get(job.id);
    if (again?.state === 'running' || again?.state === 'queued') throw busy();
  }
}

async function enqueueServiceJob(ctx: TenantsCtx, row: TenantRow, mode: 'cut' | 'restore') {
  const job = await jobsOf(ctx).enqueue(SERVICE_CUT_TASK, { tenant_id: Number(row.id), mode }, { dedupeKey: `tenant_service:${row.id}` });
  const patch: Record<string, unknown> = { service_job_id: job.id, updated_at: nowUtc() };
  if (mode === 'cut') patch.service_cut_at = nowUtc();
  await (ctx.db as Knex)('tenants').where({ id: row.id }).update(patch);
  return job;
}

/**
 * tenant_suspend / tenant_resume. A suspension stops the tenant's API and jobs; its RADIUS rows stay, so the
 * subscribers stay online, unless cutService asks for their service to be cut too (a job). Resuming a tenant
 * whose service was cut gives it back to exactly the subscribers the cut suspended (a job).
 */
export async function setTenantStatus(ctx: TenantsCtx, ref: { id?: number; slug?: string }, to: 'suspended' | 'active', opts: { cutService?: boolean } = {}) {
  const registry = assertPlatform(ctx);
  const db = ctx.db as Knex;
  const row = await requireTenant(db, ref);
  if (row.status === 'provisioning') throw new AppError('tenant_not_ready', 'The tenant is still being provisioned.', 409);
  if (opts.cutService && to !== 'suspended') throw errors.invalid('cut_service', 'cut_service goes with tenant_suspend.');
  const serviceJob = (to === 'suspended' && opts.cutService) || (to === 'active' && row.service_cut_at);
  // Checked before anything changes: a refused call leaves the tenant as it was.
  if (serviceJob) await settleServiceJob(ctx, row);
  if (row.status !== to) await db('tenants').where({ id: row.id }).update({ status: to, suspended_at: to === 'suspended' ? nowUtc() : null, updated_at: nowUtc() });
  await registry.forget(row.id);
  ctx.log.info(to === 'suspended' ? 'tenant suspended' : 'tenant resumed', { tenant: row.slug, cut_service: Boolean(opts.cutService) });
  const job = serviceJob ? await enqueueServiceJob(ctx, row, to === 'suspended' ? 'cut' : 'restore') : null;
  const doms = await domainsOf(db, [row.id]);
  const out = publicTenant((await requireTenant(db, { id: row.id })) as TenantRow, doms.get(row.id) ?? []);
  return job ? { ...out, service_job: { id: job.id, task: job.task, state: job.state, progress: job.progress } } : out;
}

const EXPORT_DIR = path.join('exports', 'tenants');

/**
 * Every table of the tenant's database as JSON lines ({"table","row"}), gzip'd, under DATA_DIR/exports/tenants/
 * (never under uploads/, which is served): written under a temporary name and renamed when complete, so a dump
 * that failed half-way is never listed or downloaded. Recorded in tenant_exports for tenant_exports and
 * tenant_export_download. It holds secrets (sealed router passwords, RADIUS secrets, password hashes): 0600.
 */
async function exportTenant(ctx: TenantsCtx, row: TenantRow, tdb: Knex) {
  const dir = path.join(ctx.config.dataDir, EXPORT_DIR);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const name = `${row.slug}-${new Date().toISOString().replace(/[:.]/g, '-')}-${crypto.randomBytes(3).toString('hex')}.jsonl.gz`;
  const file = path.join(dir, name);
  const partial = `${file}.partial`;
  const tables: string[] =
    dialectOf(ctx.config.DATABASE_URL) === 'sqlite'
      ? (await tdb.raw("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name")).map((r: { name: string }) => r.name)
      : (await tdb.raw("SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME"))[0].map((r: { name: string }) => r.name);
  const gz = zlib.createGzip();
  const out = fs.createWriteStream(partial, { mode: 0o600 });
  const hash = crypto.createHash('sha256');
  let bytes = 0;
  gz.on('data', (chunk: Buffer) => {
    hash.update(chunk);
    bytes += chunk.length;
  });
  const written = new Promise<void>((resolve, reject) => {
    out.on('finish', () => resolve());
    out.on('error', reject);
    gz.on('error', reject);
  });
  gz.pipe(out);
  let rows = 0;
  try {
    for (const t of tables) {
      let offset = 0;
      for (;;) {
        const batch = await tdb(t).select('*').limit(1000).offset(offset);
        for (const r of batch) if (!gz.write(JSON.stringify({ table: t, row: r }) + '\n')) await new Promise((ok) => gz.once('drain', ok));
        rows += batch.length;
        if (batch.length < 1000) break;
        offset += 1000;
      }
    }
    gz.end();
    await written;
    fs.renameSync(partial, file);
  } catch (e) {
    gz.destroy();
    out.destroy();
    fs.rmSync(partial, { force: true });
    throw e;
  }
  const rel = path.join(EXPORT_DIR, name);
  const sha256 = hash.digest('hex');
  const [id] = await (ctx.db as Knex)('tenant_exports').insert({
    tenant_id: row.id,
    slug: row.slug,
    file: rel,
    bytes,
    sha256,
    tables: tables.length,
    rows,
    created_by: ctx.actor.username?.slice(0, 128) ?? ctx.actor.type,
    created_at: nowUtc(),
  });
  return { id: Number(id), file: rel, bytes, sha256, tables: tables.length, rows };
}

interface ExportRow {
  id: number;
  tenant_id: number;
  slug: string;
  file: string;
  bytes: number | string;
  sha256: string;
  tables: number;
  rows: number | string;
  created_by: string | null;
  created_at: string;
}

function publicExport(r: ExportRow) {
  return {
    id: Number(r.id),
    tenant_id: Number(r.tenant_id),
    slug: r.slug,
    filename: path.basename(r.file),
    bytes: Number(r.bytes),
    sha256: r.sha256,
    tables: Number(r.tables),
    rows: Number(r.rows),
    created_by: r.created_by,
    created_at: toIso(r.created_at),
  };
}

/** tenant_exports: the dumps on this server, newest first (of one slug if asked). */
export async function listTenantExports(ctx: TenantsCtx, f: { slug?: string } = {}) {
  assertPlatform(ctx);
  const q = (ctx.db as Knex)('tenant_exports').orderBy('id', 'desc');
  if (f.slug) q.where({ slug: f.slug });
  const rows = (await q) as ExportRow[];
  return { exports: rows.map(publicExport), total: rows.length };
}

async function requireExport(ctx: TenantsCtx, id: number): Promise<{ row: ExportRow; file: string }> {
  const row = (await (ctx.db as Knex)('tenant_exports').where({ id }).first()) as ExportRow | undefined;
  if (!row) throw new AppError('tenant_export_not_found', `No tenant export ${id}; tenant_exports lists them.`, 404);
  // The path comes from our own row, but it is still checked to stay inside the export folder.
  const root = path.resolve(ctx.config.dataDir, EXPORT_DIR);
  const file = path.resolve(ctx.config.dataDir, row.file);
  if (path.dirname(file) !== root) throw new AppError('tenant_export_not_found', `No tenant export ${id}.`, 404);
  return { row, file };
}

/** tenant_export_download: the dump itself (gzip'd JSON lines), streamed by the gateway. */
export async function downloadTenantExport(ctx: TenantsCtx, id: number): Promise<Download> {
  assertPlatform(ctx);
  const { row, file } = await requireExport(ctx, id);
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    throw new AppError('tenant_export_missing', `The file of export ${id} is no longer on this server (removed by hand?); tenant_export_delete clears the entry.`, 410);
  }
  ctx.log.info('tenant export downloaded', { export_id: id, tenant: row.slug });
  return new Download(file, path.basename(row.file), 'application/gzip', size, row.sha256);
}

/** tenant_export_delete: removes the dump (it holds secrets) and its entry. */
export async function deleteTenantExport(ctx: TenantsCtx, id: number) {
  assertPlatform(ctx);
  const { row, file } = await requireExport(ctx, id);
  fs.rmSync(file, { force: true });
  await (ctx.db as Knex)('tenant_exports').where({ id }).delete();
  ctx.log.info('tenant export deleted', { export_id: id, tenant: row.slug });
  return { id, deleted: true };
}

/** Only a suspended tenant can be deleted; export=1 writes its dump first. Database, user, files and rows go. */
export async function deleteTenant(ctx: TenantsCtx, ref: { id?: number; slug?: string }, opts: { export?: boolean } = {}) {
  const registry = assertPlatform(ctx);
  const db = ctx.db as Knex;
  const row = await requireTenant(db, ref);
  // A provisioning that has not moved for a while was cut short (the process died before its undo could run).
  const abandoned = row.status === 'provisioning' && (row.updated_at ?? row.created_at) < nowUtc(new Date(Date.now() - ABANDONED_AFTER_MS));
  if (row.status !== 'suspended' && !abandoned) throw new AppError('tenant_not_suspended', 'Suspend the tenant first (tenant_suspend); only a suspended tenant can be deleted.', 409);
  // A service cut still running works on the database about to be dropped.
  if (row.service_job_id && ctx.jobs) await settleServiceJob(ctx, row);
  let exported = null;
  if (opts.export && row.database_url_enc) {
    const tdb = createKnex(ctx.secrets.decrypt(row.database_url_enc));
    try {
      exported = await exportTenant(ctx, row, tdb);
    } finally {
      await tdb.destroy();
    }
  }
  const doms = (await domainsOf(db, [row.id])).get(row.id) ?? [];
  await registry.forget(row.id, doms);
  await dropStore(db, storeOf(ctx.config, row));
  fs.rmSync(path.join(ctx.config.dataDir, 'uploads', row.slug), { recursive: true, force: true });
  await db.transaction(async (trx) => {
    await trx('tenant_domains').where({ tenant_id: row.id }).delete();
    await trx('tenants').where({ id: row.id }).delete();
  });
  ctx.log.info('tenant deleted', { tenant: row.slug, exported: Boolean(exported) });
  return { id: Number(row.id), slug: row.slug, deleted: true, export: exported };
}
