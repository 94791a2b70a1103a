import type { ActionContext } from '../gateway/action';

/** A scheduled job runs once per tenant on every tick with a system context (actor type "system"). */
export interface Job {
  name: string;
  everyMs: number;
  run(ctx: ActionContext): Promise<unknown>;
}
