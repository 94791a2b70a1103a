import type { TaskDef } from '../../jobs/queue';
import { deliverTask } from './send';
import { reminderTask } from './reminders';

export const notificationTasks: TaskDef[] = [deliverTask, reminderTask];
