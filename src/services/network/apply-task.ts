/**
 * The apply fan-out as a job: one router after another (a few at a time) with progress, so an apply to many
 * routers is followed with job_status instead of holding a request open. Not retried: each router's own failure
 * is already undone and reported in the result, and the operator decides whether to apply again.
 */
import { defineTask } from '../../jobs/queue';
import { applyNetworkSettings, type RouterApplyResult } from './apply';
import type { NetworkSettings } from './settings';

export interface ApplyJobData {
  settings: NetworkSettings;
  revision: number | null;
  routers: number[];
  dry_run: boolean;
}

export const APPLY_TASK = 'network.apply_settings';

export const applySettingsTask = defineTask<ApplyJobData, { revision: number | null; dry_run: boolean; routers: RouterApplyResult[] }>({
  name: APPLY_TASK,
  section: 'network',
  attempts: 1,
  async run(ctx, data, progress) {
    const routers = await applyNetworkSettings(ctx, data.settings, data.routers, data.dry_run, progress);
    return { revision: data.revision, dry_run: data.dry_run, routers };
  },
});

export const networkTasks = [applySettingsTask];
