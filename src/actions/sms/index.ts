import { z } from 'zod';
import { defineAction, type AnyAction } from '../../gateway/action';
import { blank, clearableText, optionalText, Page, page, perPage, stringList, text } from '../../gateway/fields';
import { broadcastSms, publicSmsSettings, saveSmsSettings, sendSms, smsBalance, smsHistory } from '../../services/sms';

const message = z.string().min(1).max(1600);

export const saveSmsSettingsAction = defineAction({
  name: 'save_sms_settings',
  section: 'notifications',
  summary: 'Configure the HTTP SMS gateway: base_url, api_key (stored encrypted, never returned), sender',
  input: z.object({ base_url: clearableText(2048), api_key: clearableText(512), sender: clearableText(15) }),
  permission: 'notifications.write',
  rateClass: 'standard',
  run: (ctx, input) => saveSmsSettings(ctx, input),
});

export const getSmsSettingsAction = defineAction({
  name: 'get_sms_settings',
  section: 'notifications',
  summary: 'The SMS gateway settings (never the API key)',
  input: z.object({}).passthrough(),
  permission: 'notifications.read',
  rateClass: 'standard',
  methods: ['GET', 'POST'],
  run: (ctx) => publicSmsSettings(ctx),
});

export const smsSendAction = defineAction({
  name: 'sms_send',
  section: 'notifications',
  summary: 'Send one SMS through the gateway; answers its delivery state (queued is retried by a job)',
  input: z.object({ phone: text(32), message }),
  permission: 'notifications.write',
  rateClass: 'standard',
  run: (ctx, input) => sendSms(ctx, input),
});

export const smsBroadcastAction = defineAction({
  name: 'sms_broadcast',
  section: 'notifications',
  summary: 'Send one SMS to up to 1000 phones as a job (job_id; progress with job_status)',
  input: z.object({ phones: stringList, message }),
  permission: 'notifications.write',
  rateClass: 'bulk',
  run: (ctx, input) => broadcastSms(ctx, input),
});

export const smsHistoryAction = defineAction({
  name: 'sms_history',
  section: 'notifications',
  summary: 'Sent SMS with their delivery state, newest first, paginated',
  input: z.object({ status: z.preprocess(blank, z.enum(['pending', 'sending', 'queued', 'sent', 'delivered', 'failed']).optional()), phone: optionalText(32), page, per_page: perPage(100, 25) }),
  permission: 'notifications.read',
  rateClass: 'standard',
  methods: ['GET', 'POST'],
  async run(ctx, input) {
    const r = await smsHistory(ctx.db, input);
    return Page.of(r.items, input.page, input.per_page, r.total);
  },
});

export const smsBalanceAction = defineAction({
  name: 'sms_balance',
  section: 'notifications',
  summary: "The SMS gateway's balance, where the provider reports one",
  input: z.object({}).passthrough(),
  permission: 'notifications.read',
  rateClass: 'standard',
  methods: ['GET', 'POST'],
  run: (ctx) => smsBalance(ctx),
});

export const smsActions: AnyAction[] = [saveSmsSettingsAction, getSmsSettingsAction, smsSendAction, smsBroadcastAction, smsHistoryAction, smsBalanceAction];
