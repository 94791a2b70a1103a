import type { AnyAction } from '../gateway/action';
import { adminActions } from './core/admins';
import { apiKeyActions } from './core/api-keys';
import { authActions } from './core/auth';
import { describeAction } from './core/describe';
import { jobActions } from './core/jobs';
import { settingsActions } from './core/settings';
import { webhookActions } from './core/webhooks';
import { billingActions } from './billing';
import { einvoiceActions } from './einvoice';
import { networkActions } from './network';
import { monitoringActions } from './monitoring';

/** The one list the registry is built from. */
export function allActions(describe: () => Array<Record<string, unknown>>): AnyAction[] {
  return [
    describeAction(describe),
    ...authActions,
    ...adminActions,
    ...apiKeyActions,
    ...settingsActions,
    ...webhookActions,
    ...jobActions,
    ...networkActions,
    ...billingActions,
    ...einvoiceActions,
    ...monitoringActions,
  ];
}
