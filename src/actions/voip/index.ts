import { z } from 'zod';
import { MOR_ENDPOINTS } from '../../adapters/mor/hash';
import { parseMoney } from '../../domain/money';
import { AppError } from '../../errors';
import { defineAction, type AnyAction } from '../../gateway/action';
import { blank, clearableText, optionalBool, optionalId, optionalText, page, perPage, strictInt } from '../../gateway/fields';
import { idempotencyKeyOf, withIdempotency } from '../../services/billing/idempotency';
import { CALL_TYPES, morBalance, morCdr, morTariffs, TARIFF_PURPOSES } from '../../services/voip/cdr';
import { provision } from '../../services/voip/provisioning';
import { loadVoipSettings, publicVoipSettings, saveVoipSettings, TOPUP_METHODS } from '../../services/voip/settings';
import { resolveTarget } from '../../services/voip/subscribers';
import { MAX_TOPUP_CENTS, topup } from '../../services/voip/topup';

const date = z.preprocess(blank, z.string().trim().regex(/^\d{4}-\d{2}-\d{2}$/, 'use YYYY-MM-DD').refine((s) => !Number.isNaN(Date.parse(s)), 'not a date').optional());
const digits = (max: number) => z.preprocess(blank, z.string().trim().regex(/^\+?\d+$/, 'digits only').max(max).optional());
/** Every action names the subscriber by username, or the MOR user by id. */
const who = { username: optionalText(64), mor_user_id: optionalId };
const paramName = z.string().trim().regex(/^[a-z_0-9]{1,32}$/, 'a MOR parameter name');
const paramList = z.preprocess((v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v && typeof v === 'object' && !Array.isArray(v) ? Object.values(v) : v), z.array(paramName).max(20));
const morUrl = z.preprocess(blank, z.string().trim().max(255).url('an http(s) URL').refine((u) => /^https?:\/\//i.test(u) && /\/(billing|mor)\/api\/?$/.test(new URL(u).pathname), 'the base URL ending in /billing/api/ (or the legacy /mor/api/)').optional());

export const saveVoipSettingsAction = defineAction({
  name: 'save_voip_settings',
  section: 'voip',
  summary: 'Configure the MOR billing server: API URL, admin user, API secret (sealed, never returned), currency, hashed parameters per endpoint, timeouts; test=1 checks the credentials first',
  input: z.object({
    mor_url: morUrl,
    mor_user: optionalText(64),
    mor_secret: z.preprocess(blank, z.string().max(255).optional()),
    currency: z.preprocess(blank, z.string().trim().regex(/^[A-Za-z]{3}$/, 'a 3-letter currency code').transform((s) => s.toUpperCase()).optional()),
    hash_params: z.partialRecord(z.enum(MOR_ENDPOINTS), paramList).optional(),
    timeout_ms: z.preprocess(blank, z.preprocess(strictInt, z.number().int().min(500).max(60_000)).optional()),
    topup_method: z.preprocess(blank, z.enum(TOPUP_METHODS).optional()),
    mor_unique_hash: clearableText(64),
    did_provider_id: z.preprocess((v) => (v === '' ? null : v), z.preprocess(strictInt, z.number().int().positive()).nullable().optional()),
    topup_vat_rate: z.preprocess(blank, z.preprocess(strictInt, z.number().int().min(0).max(100)).optional()),
    test: optionalBool,
  }),
  permission: 'voip.write',
  rateClass: 'standard',
  async run(ctx, input) {
    const { test, ...values } = input;
    if (values.mor_url && !values.mor_url.endsWith('/')) values.mor_url += '/';
    return saveVoipSettings(ctx, values as never, !!test);
  },
});

export const getVoipSettingsAction = defineAction({
  name: 'get_voip_settings',
  section: 'voip',
  summary: 'Read the MOR settings (the API secret is never returned, only whether it is set)',
  input: z.object({}),
  permission: 'voip.read',
  rateClass: 'standard',
  methods: ['GET', 'POST'],
  async run(ctx) {
    return publicVoipSettings(await loadVoipSettings(ctx.db, ctx.secrets));
  },
});

export const morBalanceAction = defineAction({
  name: 'mor_balance',
  section: 'voip',
  summary: 'Get VoIP account balance and credit info',
  input: z.object(who),
  permission: 'voip.read',
  rateClass: 'standard',
  methods: ['GET', 'POST'],
  async run(ctx, input) {
    return morBalance(ctx, await resolveTarget(ctx.db, input));
  },
});

export const morCdrAction = defineAction({
  name: 'mor_cdr',
  section: 'voip',
  summary: 'Retrieve Call Detail Records with filters (date, number, duration); format=csv exports them',
  input: z.object({
    ...who,
    from: date,
    to: date,
    call_type: z.preprocess((v) => (v === '' || v === null ? undefined : typeof v === 'string' ? v.trim().toLowerCase().replace(/\s+/g, '_') : v), z.enum(CALL_TYPES).optional()),
    destination: digits(32),
    number: digits(32),
    min_duration: z.preprocess(blank, z.preprocess(strictInt, z.number().int().min(0).max(86_400)).optional()),
    page,
    per_page: perPage(500, 50),
    format: z.preprocess(blank, z.enum(['json', 'csv']).optional()),
  }),
  permission: 'voip.read',
  rateClass: 'standard',
  methods: ['GET', 'POST'],
  async run(ctx, input) {
    const { username, mor_user_id, ...rest } = input;
    return morCdr(ctx, { ...rest, target: await resolveTarget(ctx.db, { username, mor_user_id }) });
  },
});

export const morTariffsAction = defineAction({
  name: 'mor_tariffs',
  section: 'voip',
  summary: 'List available VoIP tariff plans (purpose and currency)',
  input: z.object({ purpose: z.preprocess(blank, z.enum(TARIFF_PURPOSES).optional()) }),
  permission: 'voip.read',
  rateClass: 'standard',
  methods: ['GET', 'POST'],
  async run(ctx, input) {
    return morTariffs(ctx, input.purpose);
  },
});

export const morTopupAction = defineAction({
  name: 'mor_topup',
  section: 'voip',
  summary: 'Add credit/balance to a VoIP account, exactly once per idempotency key; invoice=1 bills it to the subscriber',
  input: z.object({
    ...who,
    amount: z.preprocess(blank, z.union([z.string().max(20), z.number()])),
    idempotency_key: z.preprocess(blank, z.string().trim().max(128).optional()),
    invoice: optionalBool,
  }),
  permission: 'voip.write',
  rateClass: 'billing',
  async run(ctx, input) {
    const key = idempotencyKeyOf(input.idempotency_key ?? ctx.headers['idempotency-key'], true)!;
    const amountCents = parseMoney(input.amount, 'amount');
    if (amountCents <= 0) throw new AppError('invalid_amount', 'The amount must be more than zero.', 422, { details: { amount: '> 0' } });
    if (amountCents > MAX_TOPUP_CENTS) throw new AppError('invalid_amount', `A top-up is at most ${(MAX_TOPUP_CENTS / 100).toFixed(2)}.`, 422, { details: { amount: `max ${MAX_TOPUP_CENTS} cents` } });
    const fingerprint = { username: input.username ?? null, mor_user_id: input.mor_user_id ?? null, amount: amountCents, invoice: !!input.invoice };
    return withIdempotency(ctx, 'mor_topup', key, fingerprint, async () =>
      topup(ctx, { target: await resolveTarget(ctx.db, input), amountCents, key, invoice: !!input.invoice }),
    );
  },
});

export const morProvisioningAction = defineAction({
  name: 'mor_provisioning',
  section: 'voip',
  summary: 'Provision new SIP accounts and assign DID numbers: creates the MOR user if needed, a SIP device and optionally a DID; the SIP credentials are shown once',
  input: z.object({
    username: z.string().trim().min(1).max(64),
    mor_user_id: optionalId,
    mor_username: z.preprocess(blank, z.string().trim().regex(/^[A-Za-z0-9._@-]{1,64}$/, 'letters, digits and . _ @ -').optional()),
    mor_password: z.preprocess(blank, z.string().min(8).max(64).optional()),
    email: z.preprocess(blank, z.string().trim().email().max(191).optional()),
    device_description: optionalText(100),
    did: z.preprocess(blank, z.string().trim().regex(/^\d{4,20}$/, '4 to 20 digits').optional()),
    did_provider_id: optionalId,
  }),
  permission: 'voip.write',
  rateClass: 'standard',
  async run(ctx, input) {
    const { username, mor_user_id, ...rest } = input;
    return provision(ctx, { ...rest, target: await resolveTarget(ctx.db, { username, mor_user_id }) });
  },
});

export const voipActions: AnyAction[] = [saveVoipSettingsAction, getVoipSettingsAction, morBalanceAction, morCdrAction, morTariffsAction, morTopupAction, morProvisioningAction];
