import type { AnyAction } from '../../gateway/action';

/** Placeholder until the network actions land. */
export const networkActions: AnyAction[] = [];
