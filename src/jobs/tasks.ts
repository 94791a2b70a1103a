import type { TaskDef } from './queue';
import { erpTasks } from '../services/erp/jobs';
import { networkTasks } from '../services/network/apply-task';
import { notificationTasks } from '../services/notifications/tasks';

/** Every background task this version knows; the queue refuses to start with two of one name. */
export function allTasks(): TaskDef[] {
  return [...erpTasks, ...networkTasks, ...notificationTasks];
}
