import { z } from 'zod';
import { AppError } from '../../errors';
import { defineAction } from '../../gateway/action';
import { clearableText, optionalText, optionalTimezone } from '../../gateway/fields';
import { getSettings, putSettings, storeImage } from '../../services/core/settings';

const timezone = optionalTimezone;

const DEFAULTS = { company_name: null, company_address: null, company_phone: null, company_email: null, company_website: null, timezone: 'Europe/Athens', language: 'el', theme: 'light', theme_color: null, logo_url: null, favicon_url: null };

export const saveSettings = defineAction({
  name: 'save_settings',
  section: 'settings',
  summary: 'Save general system settings — company info, logo, favicon, timezone, language, theme, theme colour (#rrggbb)',
  input: z.object({
    company_name: clearableText(191),
    company_address: clearableText(255),
    company_phone: clearableText(64),
    company_email: z.preprocess((v) => (v === '' ? null : v), z.string().email().nullable().optional()),
    company_website: clearableText(255),
    timezone,
    language: z.preprocess((v) => (v === '' ? undefined : v), z.enum(['el', 'en', 'de', 'fr', 'it', 'es', 'bg', 'ro', 'sq', 'tr']).optional()),
    theme: z.preprocess((v) => (v === '' ? undefined : v), z.enum(['light', 'dark', 'auto']).optional()),
    // The panel's primary colour; "" clears it (the panel's own blue). Lower-cased so one colour is one value.
    theme_color: z.preprocess((v) => (v === '' ? null : typeof v === 'string' ? v.trim().toLowerCase() : v), z.string().regex(/^#[0-9a-f]{6}$/, 'a colour as #rrggbb, e.g. #0f766e').nullable().optional()),
    remove_logo: optionalText(8),
    remove_favicon: optionalText(8),
  }),
  permission: 'settings.write',
  rateClass: 'standard',
  async run(ctx, input) {
    const values: Record<string, unknown> = { ...input };
    delete values.remove_logo;
    delete values.remove_favicon;
    for (const f of ctx.files) {
      if (f.field !== 'logo' && f.field !== 'favicon') throw new AppError('invalid_upload', `Unexpected file field "${f.field}"; save_settings takes "logo" and "favicon".`, 422);
    }
    for (const field of ['logo', 'favicon'] as const) {
      const file = ctx.files.find((f) => f.field === field);
      if (file) values[`${field}_url`] = await storeImage(ctx.config.dataDir, ctx.tenant.slug, field, file);
      else if (['1', 'true', 'yes'].includes(String(input[`remove_${field}`] ?? ''))) values[`${field}_url`] = null;
    }
    await putSettings(ctx.db, 'general', values);
    return { ...DEFAULTS, ...(await getSettings(ctx.db, 'general')) };
  },
});

export const getSettingsAction = defineAction({
  name: 'get_settings',
  section: 'settings',
  summary: 'Read the general system settings',
  input: z.object({}).passthrough(),
  permission: 'settings.read',
  rateClass: 'standard',
  methods: ['GET', 'POST'],
  async run(ctx) {
    return { ...DEFAULTS, ...(await getSettings(ctx.db, 'general')) };
  },
});

export const settingsActions = [saveSettings, getSettingsAction];
