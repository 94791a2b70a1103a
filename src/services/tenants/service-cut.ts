/**
 * Cutting a suspended tenant's service, and giving it back. A tenant suspension alone stops the tenant's API and
 * jobs but leaves its RADIUS rows, so its subscribers stay online; with cut_service=1 every active subscriber is
 * suspended the way a subscriber suspension does it in the tenant's own database (Auth-Type := Reject, the
 * api-mode router's secret disabled, live sessions sent a Disconnect-Request after commit), and remembered in
 * tenant_service_cuts, so tenant_resume lifts exactly those and not a subscriber suspended for another reason.
 *
 * It fans out over every subscriber and talks to NASes, so it is a job on the platform's queue (the operator
 * follows it with job_status or tenant_get); a suspended tenant's own queue does not run.
 */
import type { Knex } from 'knex';
import { createKnex, nowUtc } from '../../db/knex';
import { migrateLatest } from '../../db/migrate';
import { AppError } from '../../errors';
import { defineTask, type JobProgress } from '../../jobs/queue';
import type { ServiceContext, Tenant } from '../context';
import { setCustomerStatus } from '../network/customers';
import { SERVICE_CUT_TASK, TENANT_CUT_REASON } from './index';

export interface ServiceCutData {
  tenant_id: number;
  mode: 'cut' | 'restore';
}

export interface ServiceCutResult {
  mode: 'cut' | 'restore';
  tenant: string;
  /** Subscribers suspended (cut) or put back (restore) by this job. */
  changed: number;
  /** Live sessions found, and how the NASes answered the Disconnect-Requests (cut only). */
  sessions: { found: number; disconnected: number; not_disconnected: number };
  /** Subscribers left alone on restore: suspended again since for another reason, or gone. */
  skipped: number;
  failures: Array<{ customer_id: number; error: string }>;
}

async function cutOne(tctx: ServiceContext, db: Knex, id: number, out: ServiceCutResult): Promise<void> {
  // The mark goes first: a crash after the suspension must leave it, or resume would not lift the suspension.
  try {
    await db('tenant_service_cuts').insert({ customer_id: id, cut_at: nowUtc() }).onConflict('customer_id').ignore();
  } catch (e) {
    out.failures.push({ customer_id: id, error: (e as Error).message });
    return;
  }
  let error: Error | null = null;
  try {
    const r = await setCustomerStatus(tctx, id, 'suspended', TENANT_CUT_REASON);
    if ('disconnect' in r && r.disconnect) {
      out.sessions.found += r.disconnect.sessions;
      out.sessions.disconnected += r.disconnect.acked;
      out.sessions.not_disconnected += r.disconnect.sessions - r.disconnect.acked;
    }
  } catch (e) {
    error = e as Error;
  }
  // The mark is made to match the row: kept only while the subscriber is suspended for this reason.
  const c = await db('customers').where({ id }).first('status', 'suspend_reason');
  const ours = c?.status === 'suspended' && c.suspend_reason === TENANT_CUT_REASON;
  if (ours) out.changed += 1;
  else await db('tenant_service_cuts').where({ customer_id: id }).delete();
  if (error) out.failures.push({ customer_id: id, error: ours ? `${error.message} (the subscriber is suspended)` : error.message });
}

async function restoreOne(tctx: ServiceContext, db: Knex, id: number, out: ServiceCutResult): Promise<void> {
  const c = await db('customers').where({ id }).first('status', 'suspend_reason');
  if (c?.status !== 'suspended' || c.suspend_reason !== TENANT_CUT_REASON) {
    // Lifted or suspended again for another reason meanwhile: not the suspension's to lift.
    await db('tenant_service_cuts').where({ customer_id: id }).delete();
    out.skipped += 1;
    return;
  }
  try {
    await setCustomerStatus(tctx, id, 'active');
    await db('tenant_service_cuts').where({ customer_id: id }).delete();
    out.changed += 1;
  } catch (e) {
    // The mark stays, so the next tenant_resume tries this subscriber again.
    out.failures.push({ customer_id: id, error: (e as Error).message });
  }
}

export async function runServiceCut(ctx: ServiceContext, data: ServiceCutData, progress: JobProgress): Promise<ServiceCutResult> {
  const main = ctx.db as Knex;
  const row = await main('tenants').where({ id: data.tenant_id }).first();
  if (!row?.database_url_enc) throw new AppError('tenant_not_found', `No tenant ${data.tenant_id} with a database.`, 404);
  // A cut that reaches a worker after the tenant was resumed would take service from an active ISP.
  if (data.mode === 'cut' && row.status !== 'suspended') throw new AppError('tenant_not_suspended', `Tenant ${row.slug} is ${row.status}; its service is cut only while suspended.`, 409);
  const tenant: Tenant = { id: Number(row.id), slug: row.slug, name: row.name };
  const tdb = createKnex(ctx.secrets.decrypt(row.database_url_enc));
  try {
    await migrateLatest(tdb);
    // The subscribers' own work (router leftovers to converge) goes to the tenant's queue and runs once it is resumed.
    const tctx: ServiceContext = { ...ctx, db: tdb, tenant, jobs: ctx.jobs.forTenant(tenant, tdb), log: ctx.log.child({ tenant: row.slug }) };
    const out: ServiceCutResult = { mode: data.mode, tenant: row.slug, changed: 0, sessions: { found: 0, disconnected: 0, not_disconnected: 0 }, skipped: 0, failures: [] };
    const ids: number[] =
      data.mode === 'cut'
        ? (await tdb('customers').where({ status: 'active' }).orderBy('id').pluck('id')).map(Number)
        : (await tdb('tenant_service_cuts').orderBy('customer_id').pluck('customer_id')).map(Number);
    await progress(0, ids.length);
    for (const [i, id] of ids.entries()) {
      if (data.mode === 'cut') await cutOne(tctx, tdb, id, out);
      else await restoreOne(tctx, tdb, id, out);
      await progress(i + 1, ids.length);
    }
    if (data.mode === 'restore' && !(await tdb('tenant_service_cuts').first('customer_id'))) {
      await main('tenants').where({ id: tenant.id }).update({ service_cut_at: null, updated_at: nowUtc() });
    }
    ctx.log.info(data.mode === 'cut' ? 'tenant service cut' : 'tenant service restored', { tenant: row.slug, changed: out.changed, failures: out.failures.length });
    return out;
  } finally {
    await tdb.destroy();
  }
}

export const serviceCutTask = defineTask<ServiceCutData, ServiceCutResult>({
  name: SERVICE_CUT_TASK,
  section: 'tenants',
  // Each subscriber is checked before it is changed, so a retry after a crash picks up where the last try stopped.
  attempts: 3,
  run: (ctx, data, progress) => runServiceCut(ctx, data, progress),
});

export const tenantTasks = [serviceCutTask];
