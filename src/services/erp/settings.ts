import type { Knex } from 'knex';
import { AppError } from '../../errors';
import { getSettings, putSettings } from '../core/settings';

export const ACTIVE_ERPS = ['elorus'] as const;
export const PLANNED_ERPS = ['softone', 'epsilon', 'entersoft', 'galaxy'] as const;
export const ERP_PROVIDERS = [...ACTIVE_ERPS, ...PLANNED_ERPS] as const;
export type ErpProvider = (typeof ERP_PROVIDERS)[number];

const NAMES: Record<ErpProvider, string> = { elorus: 'Elorus', softone: 'SoftOne', epsilon: 'Epsilon Net', entersoft: 'Entersoft', galaxy: 'Galaxy / Real' };

/** Stored under settings `erp.*`. Elorus is reached with the credentials saved by save_einvoice_settings. */
export interface ErpSettings {
  provider: ErpProvider | null;
  /** The scheduler enqueues a sync of everything changed every few minutes. */
  auto_sync: boolean;
  sync_customers: boolean;
  sync_payments: boolean;
}

const DEFAULTS: ErpSettings = { provider: null, auto_sync: true, sync_customers: true, sync_payments: true };
const KEYS = Object.keys(DEFAULTS) as Array<keyof ErpSettings>;

export async function loadErpSettings(db: Knex): Promise<ErpSettings> {
  const raw = await getSettings(db, 'erp');
  const out = { ...DEFAULTS };
  for (const k of KEYS) if (raw[k] !== undefined) (out as Record<string, unknown>)[k] = raw[k];
  return out;
}

export function publicErpSettings(s: ErpSettings) {
  return { ...s, provider_name: s.provider ? NAMES[s.provider] : null, available: s.provider ? (ACTIVE_ERPS as readonly string[]).includes(s.provider) : false };
}

export async function saveErpSettings(db: Knex, input: Partial<ErpSettings>) {
  const values: Record<string, unknown> = {};
  for (const k of KEYS) if (input[k] !== undefined) values[k] = input[k];
  await putSettings(db, 'erp', values);
  return publicErpSettings(await loadErpSettings(db));
}

/** The ERP in use, refusing a "coming soon" one by name (as provider_not_available does for e-invoicing). */
export function requireActiveErp(s: ErpSettings, status = 501): 'elorus' {
  if (!s.provider) throw new AppError('erp_not_configured', 'No ERP is chosen; save one with save_erp_settings (provider=elorus).', 422);
  if (!(ACTIVE_ERPS as readonly string[]).includes(s.provider)) {
    throw new AppError('erp_not_available', `The ERP integration "${NAMES[s.provider]}" (${s.provider}) is not available yet; only Elorus syncs today.`, status, { extra: { provider: s.provider } });
  }
  return s.provider as 'elorus';
}

/** Internal state of the sync (cursors, the last run's summary); not settings a person edits. */
export async function getSyncState(db: Knex): Promise<Record<string, unknown>> {
  return getSettings(db, 'erp_state');
}

export async function putSyncState(db: Knex, values: Record<string, unknown>): Promise<void> {
  await putSettings(db, 'erp_state', values);
}
