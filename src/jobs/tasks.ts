import type { TaskDef } from './queue';
import { networkTasks } from '../services/network-tasks';

/** Every background task this version knows; the queue refuses to start with two of one name. */
export function allTasks(): TaskDef[] {
  return [...networkTasks()];
}
