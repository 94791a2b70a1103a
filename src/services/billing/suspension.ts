import { AppError } from '../../errors';
import type { ActionContext } from '../../gateway/action';

type SetCustomerStatus = (ctx: ActionContext, customerId: number, status: 'active' | 'suspended', reason: string) => Promise<unknown>;

let override: SetCustomerStatus | null = null;

/** Tests of billing alone may stand in for the network area's implementation; production never sets this. */
export function setCustomerStatusImplForTests(fn: SetCustomerStatus | null): void {
  override = fn;
}

/**
 * Suspends or restores a subscriber through the network area's setCustomerStatus (src/services/customers.ts),
 * the same path as toggle_status: RADIUS, RouterOS and CoA all follow. Resolved at call time so billing does not
 * load the network stack at import.
 */
export async function setCustomerStatus(ctx: ActionContext, customerId: number, status: 'active' | 'suspended', reason: string): Promise<void> {
  if (override) {
    await override(ctx, customerId, status, reason);
    return;
  }
  let mod: { setCustomerStatus?: SetCustomerStatus } | null = null;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require('../customers');
  } catch {
    mod = null;
  }
  if (!mod?.setCustomerStatus) {
    throw new AppError('customer_status_unavailable', 'Suspension is not available: the customers service (setCustomerStatus) is not installed.', 501);
  }
  await mod.setCustomerStatus(ctx, customerId, status, reason);
}
