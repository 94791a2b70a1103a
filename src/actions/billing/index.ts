import type { AnyAction } from '../../gateway/action';

/** Placeholder until the billing actions land. */
export const billingActions: AnyAction[] = [];
