import { z } from 'zod';
import { defineAction, type ActionContext } from '../../gateway/action';
import { blank, optionalBool, Page, page, perPage, strictInt } from '../../gateway/fields';
import { AppError } from '../../errors';
import { requireApiRouters, type RouterApplyResult } from '../../services/network/apply';
import { APPLY_TASK, type ApplyJobData } from '../../services/network/apply-task';
import { getNetworkSettings, listNetworkRevisions, resolveSettings, saveNetworkSettings, type RawSettings } from '../../services/network/settings';

const optionalRevision = z.preprocess(blank, z.preprocess(strictInt, z.number().int().positive()).optional());

/** A PHP bracket list (`pools[0][name]=…`) arrives as an array, or as a map when its keys are not 0..n-1. */
const rows = (max: number) =>
  z.preprocess(
    (v) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.values(v) : v === '' ? [] : v),
    z
      .array(
        z.record(z.string(), z.union([z.string().max(1000), z.number(), z.array(z.union([z.string().max(64), z.number()])).max(256), z.record(z.string(), z.union([z.string().max(64), z.number()]))])),
      )
      .max(max, `at most ${max} entries`),
  );
const ospf = z.preprocess(
  (v) => (v === '' ? null : v),
  z
    .object({
      router_id: z.string().max(64).optional(),
      areas: rows(64).optional(),
      networks: rows(256).optional(),
      redistribute: z.union([z.string().max(255), z.array(z.string().max(32)).max(16)]).optional(),
    })
    .nullable()
    .optional(),
);
const routerList = z.preprocess((v) => {
  if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter(Boolean);
  if (typeof v === 'number') return [v];
  if (v && typeof v === 'object' && !Array.isArray(v)) return Object.values(v);
  return v;
}, z.array(z.preprocess(strictInt, z.number().int().positive())).max(100, 'at most 100 routers in one apply').optional());

export const saveNetworkSettingsAction = defineAction({
  name: 'save_network_settings',
  section: 'network',
  summary:
    'Save IP pools, VLANs, OSPF, VPLS and static routes as a new revision (revision=N restores an earlier one); apply=1 with routers[] pushes them to api-mode routers as a diff, dry_run=1 only plans',
  input: z.object({
    pools: rows(256).optional(),
    vlans: rows(1000).optional(),
    ospf,
    vpls: rows(256).optional(),
    routes: rows(1000).optional(),
    revision: optionalRevision,
    apply: optionalBool,
    dry_run: optionalBool,
    routers: routerList,
    async: optionalBool,
  }),
  permission: 'network.write',
  rateClass: 'standard',
  async run(ctx, input) {
    const raw: RawSettings = { pools: input.pools, vlans: input.vlans, ospf: input.ospf, vpls: input.vpls, routes: input.routes };
    const posted = Object.values(raw).some((v) => v !== undefined);
    if (posted && input.revision !== undefined) {
      throw new AppError('conflicting_input', 'Give either settings to save or a revision to restore, not both.', 422, { details: { revision: 'conflicts with posted settings' } });
    }
    const wantsRouters = input.apply || input.dry_run;
    if (wantsRouters && (!input.routers || input.routers.length === 0)) {
      throw new AppError('missing_routers', 'apply=1 and dry_run=1 need routers[]=<id> for each api-mode router to push to.', 422, { details: { routers: 'required' } });
    }
    // Routers are checked before anything is saved, so a typo in routers[] leaves no new revision behind.
    if (wantsRouters) await requireApiRouters(ctx, input.routers!);
    if (input.dry_run) {
      const settings = await resolveSettings(ctx, raw, input.revision);
      const run = await runApply(ctx, { settings, revision: null, routers: input.routers!, dry_run: true }, input.async);
      return { dry_run: true, saved: false, settings, ...run };
    }
    const saved = await saveNetworkSettings(ctx, raw, input.revision);
    const view = await getNetworkSettings(ctx, saved.revision);
    if (!input.apply) return { ...view, changed: saved.changed };
    const run = await runApply(ctx, { settings: saved.settings, revision: saved.revision, routers: input.routers!, dry_run: false }, input.async);
    return { ...view, changed: saved.changed, ...run };
  },
});

/** How long a request waits for the apply job before answering with its job_id (the job goes on). */
const APPLY_WAIT_MS = 60_000;

/**
 * The fan-out runs as a job. Without async=1 the reply waits for it and carries the per-router results; with
 * async=1 (or if it takes longer than APPLY_WAIT_MS) the reply carries job_id for job_status.
 */
async function runApply(ctx: ActionContext, data: ApplyJobData, async: boolean | undefined) {
  const job = await ctx.jobs.enqueue(APPLY_TASK, data);
  if (async) return { job_id: job.id, job_state: job.state, routers: null };
  const done = await ctx.jobs.wait(job.id, APPLY_WAIT_MS);
  if (done.state === 'failed') {
    throw new AppError(done.error?.code ?? 'apply_failed', done.error?.message ?? 'Applying the network settings failed.', 502, { extra: { job_id: job.id } });
  }
  const result = done.result as { routers: RouterApplyResult[] } | null;
  return { job_id: job.id, job_state: done.state, routers: done.state === 'completed' && result ? result.routers : null };
}

export const getNetworkSettingsAction = defineAction({
  name: 'get_network_settings',
  section: 'network',
  summary: 'The current network settings with their revision number (revision=N shows an earlier one)',
  input: z.object({ revision: optionalRevision }),
  permission: 'network.read',
  rateClass: 'standard',
  methods: ['GET', 'POST'],
  run: (ctx, input) => getNetworkSettings(ctx, input.revision),
});

export const listNetworkRevisionsAction = defineAction({
  name: 'list_network_revisions',
  section: 'network',
  summary: 'Saved revisions of the network settings, newest first',
  input: z.object({ page, per_page: perPage(100, 25) }),
  permission: 'network.read',
  rateClass: 'standard',
  methods: ['GET', 'POST'],
  async run(ctx, input) {
    const { total, items } = await listNetworkRevisions(ctx, input.page, input.per_page);
    return Page.of(items, input.page, input.per_page, total);
  },
});

export const settingsActions = [saveNetworkSettingsAction, getNetworkSettingsAction, listNetworkRevisionsAction];

