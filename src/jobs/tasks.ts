import { monitoringTasks } from '../services/monitoring/tasks';
import type { TaskDef } from './queue';
import { erpTasks } from '../services/erp/jobs';
import { networkTasks as networkSettingsTasks } from '../services/network/apply-task';
import { notificationTasks } from '../services/notifications/tasks';
import { networkTasks } from '../services/network/tasks';
import { billingTasks } from '../services/billing/jobs';
import { smsTasks } from '../services/sms';
import { tenantTasks } from '../services/tenants/service-cut';

/** Every background task this version knows; the queue refuses to start with two of one name. */
export function allTasks(): TaskDef[] {
  return [...erpTasks, ...networkSettingsTasks, ...notificationTasks, ...monitoringTasks, ...networkTasks(), ...billingTasks(), ...smsTasks, ...tenantTasks];
}
