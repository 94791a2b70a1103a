import type { ServiceContext } from '../context';
import { setCustomerStatus as setStatusViaNetwork } from '../customers';

/**
 * Suspends or restores a subscriber through the network area's setCustomerStatus, the same path as
 * toggle_status: RADIUS rows, RouterOS and a CoA disconnect all follow, and customer.suspended is emitted there.
 */
export async function setCustomerStatus(ctx: ServiceContext, customerId: number, status: 'active' | 'suspended', reason: string): Promise<void> {
  await setStatusViaNetwork(ctx, customerId, status, reason);
}
