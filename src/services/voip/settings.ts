import type { Knex } from 'knex';
import { DEFAULT_HASH_PARAMS, MOR_ENDPOINTS, type MorEndpoint } from '../../adapters/mor/hash';
import { MorClient } from '../../adapters/mor/mor-client';
import { AppError } from '../../errors';
import type { ServiceContext } from '../context';
import type { SecretBox } from '../../secrets';
import { getSettings, putSettings } from '../core/settings';

const PREFIX = 'voip';

export const TOPUP_METHODS = ['payment_create', 'user_balance_update'] as const;
export type TopupMethod = (typeof TOPUP_METHODS)[number];

/** Stored under settings `voip.*`; mor_secret is sealed with the app key and never returned. */
export interface VoipSettings {
  mor_url: string | null;
  mor_user: string | null;
  mor_secret: string | null;
  currency: string;
  hash_params: Partial<Record<MorEndpoint, string[]>>;
  timeout_ms: number;
  topup_method: TopupMethod;
  /** The owner's UNIQUEHASH (MOR API settings tab), the `id` user_register wants. */
  mor_unique_hash: string | null;
  did_provider_id: number | null;
  /** VAT rate (%) of a top-up billed with invoice=1. */
  topup_vat_rate: number;
}

const DEFAULTS: VoipSettings = {
  mor_url: null,
  mor_user: null,
  mor_secret: null,
  currency: 'EUR',
  hash_params: {},
  timeout_ms: 10_000,
  topup_method: 'payment_create',
  mor_unique_hash: null,
  did_provider_id: null,
  topup_vat_rate: 24,
};

export async function loadVoipSettings(db: Knex, secrets: SecretBox): Promise<VoipSettings> {
  const raw = await getSettings(db, PREFIX);
  const out = { ...DEFAULTS, ...raw } as VoipSettings;
  out.mor_secret = typeof raw.mor_secret === 'string' && raw.mor_secret ? secrets.decrypt(raw.mor_secret) : null;
  return out;
}

export function publicVoipSettings(s: VoipSettings) {
  const hash: Record<string, string[]> = {};
  for (const e of MOR_ENDPOINTS) hash[e] = s.hash_params[e] ?? DEFAULT_HASH_PARAMS[e];
  return {
    mor_url: s.mor_url,
    mor_user: s.mor_user,
    mor_secret_set: !!s.mor_secret,
    currency: s.currency,
    hash_params: hash,
    timeout_ms: s.timeout_ms,
    topup_method: s.topup_method,
    mor_unique_hash_set: !!s.mor_unique_hash,
    did_provider_id: s.did_provider_id,
    topup_vat_rate: s.topup_vat_rate,
    configured: !!(s.mor_url && s.mor_user && s.mor_secret),
  };
}

export function morClientFrom(s: VoipSettings): MorClient {
  if (!s.mor_url || !s.mor_user || !s.mor_secret) {
    throw new AppError('voip_not_configured', 'MOR is not configured; save mor_url, mor_user and mor_secret with save_voip_settings.', 422);
  }
  return new MorClient({ baseUrl: s.mor_url, user: s.mor_user, secret: s.mor_secret, timeoutMs: s.timeout_ms, hashParams: s.hash_params });
}

export async function morClient(ctx: Pick<ServiceContext, 'db' | 'secrets'>): Promise<{ client: MorClient; settings: VoipSettings }> {
  const settings = await loadVoipSettings(ctx.db, ctx.secrets);
  return { client: morClientFrom(settings), settings };
}

export type VoipSettingsInput = Partial<Omit<VoipSettings, 'hash_params'>> & { hash_params?: Record<string, string[]> };

/** Saves the settings; with `test` the merged settings are first checked against MOR (tariffs_get hashes `u`). */
export async function saveVoipSettings(ctx: ServiceContext, input: VoipSettingsInput, test: boolean) {
  const current = await loadVoipSettings(ctx.db, ctx.secrets);
  const merged: VoipSettings = { ...current };
  for (const [k, v] of Object.entries(input)) if (v !== undefined) (merged as unknown as Record<string, unknown>)[k] = v;
  if (input.hash_params) merged.hash_params = { ...current.hash_params, ...(input.hash_params as VoipSettings['hash_params']) };
  let tested: Record<string, unknown> | undefined;
  if (test) {
    const client = morClientFrom(merged);
    try {
      const tariffs = await client.tariffs();
      tested = { ok: true, tariffs: tariffs.length };
    } catch (e) {
      // The credentials are what is tested: MOR switching the tariff list off still proves the hash was accepted.
      if (e instanceof AppError && e.code === 'mor_feature_disabled') tested = { ok: true, tariffs: null, note: e.message };
      else throw e;
    }
  }
  const values: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) {
    if (v === undefined) continue;
    if (k === 'mor_secret') values[k] = v === null || v === '' ? null : ctx.secrets.encrypt(String(v));
    else values[k] = v;
  }
  if (input.hash_params) values.hash_params = merged.hash_params;
  await putSettings(ctx.db, PREFIX, values);
  const out = publicVoipSettings(await loadVoipSettings(ctx.db, ctx.secrets));
  return tested ? { ...out, test: tested } : out;
}
