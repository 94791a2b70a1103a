import type { AnyAction } from '../../gateway/action';
import { customerActions } from './customers';
import { planActions } from './plans';
import { radiusActions } from './radius';
import { routerActions } from './routers';
import { settingsActions } from './settings';
import { inventoryActions } from './inventory';

export const networkActions: AnyAction[] = [...customerActions, ...planActions, ...routerActions, ...radiusActions, ...settingsActions, ...inventoryActions];
