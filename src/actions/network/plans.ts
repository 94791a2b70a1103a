import { z } from 'zod';
import { defineAction } from '../../gateway/action';
import { blank, clearableText, id, optionalInt, optionalText, strictInt, text } from '../../gateway/fields';
import { parseMoney } from '../../domain/money';
import { createPlan, deletePlan, listPlans, updatePlan } from '../../services/network/plans';

const priority = optionalInt(1, 8);
/** "" clears the priority on edit (back to MikroTik's default 8). */
const clearablePriority = z.preprocess((v) => (v === '' ? null : strictInt(v)), z.number().int().min(1).max(8).nullable().optional());
const price = z.preprocess(blank, z.union([z.string(), z.number()]).optional());

export const addPlan = defineAction({
  name: 'add_plan',
  section: 'plans',
  summary: 'Create a service plan with speed limits (100M, 512k, 1G), price and MikroTik queue parameters',
  input: z.object({
    name: text(64),
    download: text(32),
    upload: text(32),
    price,
    burst_limit: optionalText(64),
    burst_threshold: optionalText(64),
    burst_time: optionalText(32),
    priority,
    pool: optionalText(64),
    pool6: optionalText(64),
  }),
  permission: 'plans.write',
  rateClass: 'standard',
  async run(ctx, input) {
    const { price: p, ...rest } = input;
    return createPlan(ctx, { ...rest, price_cents: p === undefined ? 0 : parseMoney(p, 'price') });
  },
});

export const editPlan = defineAction({
  name: 'edit_plan',
  section: 'plans',
  summary: "Update a service plan; a speed change is re-applied to online subscribers by CoA and to api-mode routers' queues, as a job (reply carries job_id)",
  input: z.object({
    id,
    name: optionalText(64),
    download: optionalText(32),
    upload: optionalText(32),
    price,
    burst_limit: clearableText(64),
    burst_threshold: clearableText(64),
    burst_time: clearableText(32),
    priority: clearablePriority,
    pool: clearableText(64),
    pool6: clearableText(64),
  }),
  permission: 'plans.write',
  rateClass: 'standard',
  async run(ctx, input) {
    const { id: planId, price: p, ...rest } = input;
    return updatePlan(ctx, planId, { ...rest, ...(p !== undefined ? { price_cents: parseMoney(p, 'price') } : {}) });
  },
});

export const deletePlanAction = defineAction({
  name: 'delete_plan',
  section: 'plans',
  summary: 'Delete a service plan (refused with plan_in_use while subscribers are on it)',
  input: z.object({ id }),
  permission: 'plans.write',
  rateClass: 'standard',
  run: (ctx, input) => deletePlan(ctx, input.id),
});

export const listPlansAction = defineAction({
  name: 'list_plans',
  section: 'plans',
  summary: 'All service plans with their speeds, price, Mikrotik-Rate-Limit and subscriber count',
  input: z.object({}).passthrough(),
  permission: 'plans.read',
  rateClass: 'standard',
  methods: ['GET', 'POST'],
  run: (ctx) => listPlans(ctx),
});

export const planActions = [addPlan, editPlan, deletePlanAction, listPlansAction];
