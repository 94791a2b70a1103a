import type { TaskDef } from '../../jobs/queue';
import { deliverTask } from './send';

export const notificationTasks: TaskDef[] = [deliverTask];
