import type { AnyAction } from '../gateway/action';
import { aiActions } from './ai';
import { adminActions } from './core/admins';
import { apiKeyActions } from './core/api-keys';
import { apiClientActions } from './core/api-clients';
import { authActions } from './core/auth';
import { describeAction } from './core/describe';
import { jobActions } from './core/jobs';
import { settingsActions } from './core/settings';
import { webhookActions } from './core/webhooks';
import { billingActions } from './billing';
import { einvoiceActions } from './einvoice';
import { helpdeskActions } from './helpdesk';
import { networkActions } from './network';
import { voipActions } from './voip';
import { erpActions } from './erp';
import { tenantActions } from './tenants';
import { notificationActions } from './notifications';
import { monitoringActions } from './monitoring';
import { voucherActions } from './vouchers';
import { operatorActions } from './operators';
import { smsActions } from './sms';
import { eventActions } from './core/events';

/** The one list the registry is built from. */
export function allActions(describe: () => Array<Record<string, unknown>>): AnyAction[] {
  const list: AnyAction[] = [
    describeAction(describe),
    ...authActions,
    ...adminActions,
    ...apiKeyActions,
    ...apiClientActions,
    ...settingsActions,
    ...webhookActions,
    ...jobActions,
    ...networkActions,
    ...billingActions,
    ...einvoiceActions,
    ...voipActions,
    ...erpActions,
    ...tenantActions,
    ...helpdeskActions,
    ...notificationActions,
    ...voucherActions,
    ...operatorActions,
    ...smsActions,
    ...aiActions(describe, () => list),
    ...monitoringActions,
    ...eventActions,
  ];
  return list;
}
