/**
 * Telegram Bot API, sendMessage only. The token is part of the path (https://api.telegram.org/bot<token>/sendMessage);
 * the documentation warns that error_code may change, so outcomes are read from `ok`, the HTTP status and
 * `description`, and 429's `parameters.retry_after`.
 */
import { httpExchange, TransportError, type HttpAnswer } from '../http';

export const TELEGRAM_DEFAULT_BASE_URL = 'https://api.telegram.org';

export type TelegramOutcome =
  | { kind: 'sent'; messageId: number; raw: string }
  /** Try again after `retryAfterSeconds` (429, 5xx, network). */
  | { kind: 'retry'; retryAfterSeconds: number | null; raw: string }
  /** The bot was blocked, the chat is gone or the user deactivated: mark the recipient unreachable. */
  | { kind: 'unreachable'; raw: string }
  /** Anything else the request itself is wrong about (bad token, malformed text): no point retrying. */
  | { kind: 'rejected'; raw: string };

/** Escapes text for parse_mode=HTML: only &, < and > are special outside tags. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export class TelegramBot {
  constructor(
    private readonly token: string,
    private readonly baseUrl = TELEGRAM_DEFAULT_BASE_URL,
    private readonly timeoutMs = 10_000,
  ) {}

  async sendMessage(chatId: string, html: string): Promise<TelegramOutcome> {
    const url = `${this.baseUrl.replace(/\/+$/, '')}/bot${this.token}/sendMessage`;
    let res: HttpAnswer;
    try {
      res = await httpExchange(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ chat_id: /^-?\d+$/.test(chatId) ? Number(chatId) : chatId, text: html, parse_mode: 'HTML', link_preview_options: { is_disabled: true } }),
        timeoutMs: this.timeoutMs,
      });
    } catch (e) {
      if (!(e instanceof TransportError)) throw e;
      const cause = e.cause as Error | undefined;
      return { kind: 'retry', retryAfterSeconds: null, raw: `network: ${String(cause?.message ?? e.code).slice(0, 200)}` };
    }
    const text = res.text;
    let body: { ok?: boolean; description?: string; result?: { message_id?: number }; parameters?: { retry_after?: number } } = {};
    try {
      body = JSON.parse(text);
    } catch {
      /* a proxy's HTML page: judged by the status below */
    }
    const raw = `${res.status} ${(body.description ?? text).slice(0, 300)}`;
    if (res.ok && body.ok === true) return { kind: 'sent', messageId: Number(body.result?.message_id ?? 0), raw: `${res.status} message_id=${body.result?.message_id ?? ''}` };
    const desc = (body.description ?? '').toLowerCase();
    if (res.status === 429) return { kind: 'retry', retryAfterSeconds: Number(body.parameters?.retry_after ?? 0) || null, raw };
    if (res.status >= 500) return { kind: 'retry', retryAfterSeconds: null, raw };
    if (res.status === 403 || desc.includes('bot was blocked') || desc.includes('chat not found') || desc.includes('user is deactivated')) return { kind: 'unreachable', raw };
    return { kind: 'rejected', raw };
  }
}
