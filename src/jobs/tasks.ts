import type { TaskDef } from './queue';
import { erpTasks } from '../services/erp/jobs';

/** Every background task this version knows; the queue refuses to start with two of one name. */
export function allTasks(): TaskDef[] {
  return [...erpTasks];
}
