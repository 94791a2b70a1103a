/**
 * Background tasks of the network area: converging a router with the database for one subscriber (a pending
 * effect), re-applying a plan's speed, deprovisioning a router before it is removed. Routers' status (get_routers)
 * is stored by the router probe job of the monitoring area (src/services/monitoring/tasks.ts).
 */
import { defineEffectTask, recordEffect, requeueStaleEffects } from '../effects';
import { defineTask } from '../../jobs/queue';
import type { Job } from '../../jobs/job';
import { DELETE_ROUTER_TASK, deleteRouterNow } from './routers';
import { REAPPLY_PLAN_TASK, reapplySpeed } from './plans';
import { requirePlan } from './common';
import { deprovisionCustomer, provisionCustomer, RouterLinks, Steps } from './provisioning';
import type { CustomerRow, NetCtx, PlanRow, RouterRowDb } from './common';
import type { TaskDef } from '../../jobs/queue';
import type { ServiceContext } from '../context';
import { MENU, removeIfPresent } from '../../adapters/routeros/ops';

export const CONVERGE_ROUTER_CUSTOMER = 'network.converge_router_customer';

export interface RouterCustomerTarget {
  router_id: number;
  username: string;
  mac_address: string | null;
}

/** Something was left on a router for this username that the caller could not finish or undo. */
export async function recordRouterLeftover(ctx: NetCtx & Partial<Pick<ServiceContext, 'jobs'>>, t: RouterCustomerTarget): Promise<void> {
  await recordEffect(ctx, CONVERGE_ROUTER_CUSTOMER, `router:${t.router_id}:user:${t.username}`, t);
}

/**
 * Makes the router hold exactly what the database says about this username: the subscriber's entries when they
 * are on this api-mode router, nothing otherwise (deleted, moved, renamed away).
 */
export const convergeRouterCustomer = defineEffectTask<RouterCustomerTarget>({
  name: CONVERGE_ROUTER_CUSTOMER,
  section: 'routers',
  async converge(ctx, t) {
    const router = await ctx.db<RouterRowDb>('routers').where({ id: t.router_id }).first();
    if (!router || router.mode !== 'api') return { action: 'none', reason: 'router gone or not in api mode' };
    const links = new RouterLinks(ctx);
    try {
      const c = await ctx.db<CustomerRow>('customers').where({ username: t.username }).first();
      if (c && c.router_id === router.id) {
        const plan = (await ctx.db<PlanRow>('plans').where({ id: c.plan_id }).first())!;
        await provisionCustomer(new Steps(), links.for(router), c, plan);
        if (t.mac_address && t.mac_address !== c.mac_address) await removeIfPresent(links.for(router), MENU.lease, 'mac-address', t.mac_address);
        return { action: 'provisioned' };
      }
      await deprovisionCustomer(new Steps(), links.for(router), { username: t.username, mac_address: t.mac_address });
      return { action: 'removed' };
    } finally {
      await links.closeAll();
    }
  },
});

/** A router's deprovisioning before it is removed. Not retried: a refusal (unreachable, not forced) is the answer. */
export const deleteRouterTask = defineTask({
  name: DELETE_ROUTER_TASK,
  section: 'routers',
  attempts: 1,
  leaseMs: 10 * 60_000,
  run: (ctx, data: { router_id: number; force: boolean }, progress) => deleteRouterNow(ctx, data.router_id, data.force, progress),
});

export const reapplyPlanTask = defineTask({
  name: REAPPLY_PLAN_TASK,
  section: 'plans',
  attempts: 2,
  leaseMs: 10 * 60_000,
  async run(ctx, data: { plan_id: number }, progress) {
    // The plan as it is now: a second edit while this waited is applied, not the speed of the first.
    const plan = await requirePlan(ctx.db, { id: data.plan_id });
    return reapplySpeed(ctx, plan, progress);
  },
});

export function networkTasks(): TaskDef[] {
  return [convergeRouterCustomer, deleteRouterTask, reapplyPlanTask];
}

/** Pending effects whose job was lost are queued again. */
export function effectsSweepJob(): Job {
  return { name: 'effects.sweep', everyMs: 5 * 60_000, run: async (ctx) => ({ requeued: await requeueStaleEffects(ctx) }) };
}
