import type { Knex } from 'knex';
import { AppError } from '../errors';
import type { Tenant } from '../domain/actor';
import type { SecretBox } from '../secrets';
import { createKnex } from './knex';
import { migrateLatest } from './migrate';

const HOST_CACHE_MAX = 1000;

export const DEFAULT_TENANT: Tenant = { id: null, slug: 'default', name: 'default' };

/**
 * The tenancy seam: each request resolves a tenant by its Host header (else the default tenant) and the
 * tenant chooses its database. The `tenants` table lives in the main database; a tenant's own database is
 * opened and migrated on first use. Single-tenant installs only ever see the default tenant.
 */
export class TenantDatabases {
  private readonly open = new Map<number, Promise<Knex>>();
  /** @internal exposed for the test of its bound */
  hostCache = new Map<string, { tenant: Tenant | null; status: string | null; at: number }>();

  constructor(
    readonly main: Knex,
    private readonly secrets: SecretBox,
  ) {}

  async resolve(host: string | undefined): Promise<{ tenant: Tenant; db: Knex }> {
    const hostname = (host ?? '').toLowerCase().replace(/:\d+$/, '');
    if (!hostname) return { tenant: DEFAULT_TENANT, db: this.main };
    const cached = this.hostCache.get(hostname);
    let tenant: Tenant | null;
    let status: string | null;
    if (cached && Date.now() - cached.at < 30_000) ({ tenant, status } = cached);
    else {
      const row =
        (await this.main('tenant_domains').join('tenants', 'tenants.id', 'tenant_domains.tenant_id').where('tenant_domains.hostname', hostname).first('tenants.*')) ??
        (await this.main('tenants').where({ hostname }).first());
      tenant = row ? tenantOf(row) : null;
      status = row?.status ?? null;
      // The Host header is the caller's to choose: bound the cache so random hosts cannot grow it forever.
      if (this.hostCache.size >= HOST_CACHE_MAX) this.hostCache.clear();
      this.hostCache.set(hostname, { tenant, status, at: Date.now() });
    }
    if (!tenant || tenant.id === null) return { tenant: DEFAULT_TENANT, db: this.main };
    // A tenant's host never falls back to the platform: a suspended or half-made tenant answers for itself.
    if (status === 'suspended') throw new AppError('tenant_suspended', `The ISP "${tenant.name}" is suspended; contact the platform operator.`, 403);
    if (status !== 'active') throw new AppError('tenant_unavailable', `The ISP "${tenant.name}" is not available yet.`, 503);
    return { tenant, db: await this.dbFor(tenant.id) };
  }

  /** Drops what is cached about a tenant (its hosts, its open database) after it was edited, suspended or deleted. */
  async forget(tenantId: number, hostnames: string[] = []): Promise<void> {
    for (const [h, c] of this.hostCache) if (c.tenant?.id === tenantId || hostnames.includes(h)) this.hostCache.delete(h);
    const p = this.open.get(tenantId);
    this.open.delete(tenantId);
    const db = p ? await p.catch(() => null) : null;
    if (db && db !== this.main) await db.destroy();
  }

  async dbFor(tenantId: number): Promise<Knex> {
    let p = this.open.get(tenantId);
    if (!p) {
      p = (async () => {
        const row = await this.main('tenants').where({ id: tenantId }).first();
        // A tenant without its own database is never served from the platform's.
        if (!row?.database_url_enc) throw new AppError('tenant_unavailable', 'This ISP has no database yet.', 503);
        const db = createKnex(this.secrets.decrypt(row.database_url_enc));
        await migrateLatest(db);
        return db;
      })();
      p.catch(() => this.open.delete(tenantId));
      this.open.set(tenantId, p);
    }
    return p;
  }

  /** Every tenant with its database, for scheduled jobs. Fails if any tenant's database cannot be opened. */
  async all(): Promise<Array<{ tenant: Tenant; db: Knex }>> {
    const out: Array<{ tenant: Tenant; db: Knex }> = [];
    for (const t of await this.list()) out.push({ tenant: t.tenant, db: await t.open() });
    return out;
  }

  /**
   * Every tenant with a way to open its database, so a caller can go on with the others when one
   * tenant's database is down.
   */
  async list(): Promise<Array<{ tenant: Tenant; open: () => Promise<Knex> }>> {
    const out: Array<{ tenant: Tenant; open: () => Promise<Knex> }> = [{ tenant: DEFAULT_TENANT, open: async () => this.main }];
    const rows = await this.main('tenants').where({ status: 'active' }).whereNotNull('database_url_enc').orderBy('id');
    for (const r of rows) out.push({ tenant: tenantOf(r), open: () => this.dbFor(r.id) });
    return out;
  }

  async close(): Promise<void> {
    for (const p of this.open.values()) {
      const db = await p.catch(() => null);
      if (db && db !== this.main) await db.destroy();
    }
    this.open.clear();
  }
}

function tenantOf(row: { id: number; slug: string; name: string; max_subscribers?: number | null; max_routers?: number | null }): Tenant {
  return {
    id: Number(row.id),
    slug: row.slug,
    name: row.name,
    limits: { max_subscribers: row.max_subscribers ?? null, max_routers: row.max_routers ?? null },
  };
}
