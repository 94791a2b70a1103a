import type { AnyAction } from '../../gateway/action';

/** Placeholder until the einvoice actions land. */
export const einvoiceActions: AnyAction[] = [];
