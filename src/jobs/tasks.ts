import type { TaskDef } from './queue';
import { networkTasks } from '../services/network-tasks';
import { billingTasks } from '../services/billing/jobs';

/** Every background task this version knows; the queue refuses to start with two of one name. */
export function allTasks(): TaskDef[] {
  return [...networkTasks(), ...billingTasks()];
}
