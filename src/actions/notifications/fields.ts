import { z } from 'zod';
import { TELEGRAM_CHAT_ID } from '../../domain/telegram';

/** A recipient's Telegram chat id, for add/edit of subscribers and admins; "" clears it (null). */
export const telegramChatId = z.preprocess(
  (v) => (v === '' ? null : v),
  z.string().trim().regex(TELEGRAM_CHAT_ID, 'a numeric chat id or @channel').nullable().optional(),
);
