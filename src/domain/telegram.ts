/**
 * A Telegram chat as the Bot API's sendMessage takes it: a numeric chat id (negative for groups, up to 52 bits in
 * practice, so 20 digits is a generous bound) or the @username of a public channel (5–32 letters, digits, _).
 */
export const TELEGRAM_CHAT_ID = /^(-?\d{1,20}|@[A-Za-z0-9_]{5,32})$/;

export function isTelegramChatId(s: string): boolean {
  return TELEGRAM_CHAT_ID.test(s);
}
