import type { ServiceContext } from '../services/context';

/** A scheduled job runs once per tenant on every tick with a system context (actor type "system"). */
export interface Job {
  name: string;
  everyMs: number;
  /** `info.tick` names the tick when BullMQ schedules it (the same tick never runs twice). */
  run(ctx: ServiceContext, info?: { tick?: string }): Promise<unknown>;
}
