import { z } from 'zod';
import { AppError } from '../../errors';
import { defineAction, type AnyAction } from '../../gateway/action';
import { blank, optionalBool } from '../../gateway/fields';
import { loadEinvoiceSettings } from '../../services/einvoice/settings';
import { ERP_SYNC_DEDUPE } from '../../services/erp/jobs';
import { ERP_PROVIDERS, loadErpSettings, publicErpSettings, requireActiveErp, saveErpSettings } from '../../services/erp/settings';
import { erpStatus, SYNC_SCOPES } from '../../services/erp/sync';

/** A date (midnight UTC) or an ISO date-time, as the UTC DATETIME string rows are compared with. */
const since = z.preprocess(blank, z.string().trim().max(40).optional()).transform((v, c) => {
  if (v === undefined) return undefined;
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v;
  const t = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/.test(iso) ? Date.parse(iso.replace(' ', 'T')) : NaN;
  if (Number.isNaN(t)) {
    c.addIssue({ code: 'custom', message: 'a date (YYYY-MM-DD) or an ISO-8601 date-time' });
    return z.NEVER;
  }
  return new Date(t).toISOString().slice(0, 19).replace('T', ' ');
});

async function withCredentials(ctx: Parameters<AnyAction['run']>[0], out: Record<string, unknown>) {
  const e = await loadEinvoiceSettings(ctx.db, ctx.secrets);
  return { ...out, elorus_credentials_set: !!(e.elorus_api_key && e.elorus_organization_id) };
}

export const saveErpSettingsAction = defineAction({
  name: 'save_erp_settings',
  section: 'billing',
  summary: 'Choose the ERP (elorus; softone, epsilon, entersoft, galaxy are coming soon) and what is kept in sync; Elorus uses the credentials of save_einvoice_settings',
  input: z.object({
    provider: z.preprocess(blank, z.enum(ERP_PROVIDERS).optional()),
    auto_sync: optionalBool,
    sync_customers: optionalBool,
    sync_payments: optionalBool,
  }),
  permission: 'billing.write',
  rateClass: 'standard',
  async run(ctx, input) {
    return withCredentials(ctx, await saveErpSettings(ctx.db, input));
  },
});

export const getErpSettingsAction = defineAction({
  name: 'get_erp_settings',
  section: 'billing',
  summary: 'Read the ERP settings',
  input: z.object({}),
  permission: 'billing.read',
  rateClass: 'standard',
  methods: ['GET', 'POST'],
  async run(ctx) {
    return withCredentials(ctx, publicErpSettings(await loadErpSettings(ctx.db)));
  },
});

export const erpSyncAction = defineAction({
  name: 'erp_sync',
  section: 'billing',
  summary: 'Run or resume a sync with the ERP as a job (scope customers|invoices|payments|all, since); wait=1 answers the counts',
  input: z.object({
    scope: z.preprocess(blank, z.enum(SYNC_SCOPES).default('all')),
    since,
    retry_refused: optionalBool,
    wait: optionalBool,
  }),
  permission: 'billing.write',
  rateClass: 'bulk',
  async run(ctx, input) {
    requireActiveErp(await loadErpSettings(ctx.db));
    const job = await ctx.jobs.enqueue('erp.sync', { scope: input.scope, since: input.since ?? null, retry_refused: !!input.retry_refused }, { dedupeKey: ERP_SYNC_DEDUPE });
    if (!input.wait) return { job_id: job.id, state: job.state, scope: input.scope, since: input.since ?? null };
    const done = await ctx.jobs.wait(job.id, 60_000);
    if (done.state === 'failed') {
      throw new AppError(done.error?.code ?? 'erp_sync_failed', done.error?.message ?? 'The ERP sync failed.', 502, { extra: { job_id: job.id } });
    }
    return { job_id: job.id, state: done.state, ...(done.result as Record<string, unknown> | null ?? {}) };
  },
});

export const erpStatusAction = defineAction({
  name: 'erp_status',
  section: 'billing',
  summary: 'The last ERP sync, its counts, and the records the ERP refused with its own message',
  input: z.object({}),
  permission: 'billing.read',
  rateClass: 'standard',
  methods: ['GET', 'POST'],
  async run(ctx) {
    return erpStatus(ctx);
  },
});

export const erpActions: AnyAction[] = [saveErpSettingsAction, getErpSettingsAction, erpSyncAction, erpStatusAction];
