import type { AnyAction } from '../../gateway/action';
import { customerActions } from './customers';
import { planActions } from './plans';
import { radiusActions } from './radius';
import { routerActions } from './routers';
import { settingsActions } from './settings';
import { inventoryActions } from './inventory';
import { wireguardActions } from './wireguard';
import { radiusTestActions } from './radius-test';

export const networkActions: AnyAction[] = [...customerActions, ...planActions, ...routerActions, ...radiusActions, ...settingsActions, ...inventoryActions, ...wireguardActions, ...radiusTestActions];
