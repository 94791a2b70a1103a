import { monitoringTasks } from '../services/monitoring/tasks';
import type { TaskDef } from './queue';

/** Every background task this version knows; the queue refuses to start with two of one name. */
export function allTasks(): TaskDef[] {
  return [...monitoringTasks];
}
