import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A Telegram Bot API on loopback: POST /bot<token>/sendMessage with a JSON or form body. As strict as the real one
 * about what it checks: an unknown token is 401 Unauthorized, a missing chat_id or text is 400, HTML that does not
 * parse (an unescaped "<" or an unknown tag) is 400 "can't parse entities". Chats can be set to block the bot (403)
 * or to answer 429 with retry_after a number of times first.
 */
export class FakeTelegram {
  readonly messages: Array<{ chat_id: string; text: string; parse_mode?: string }> = [];
  readonly blocked = new Set<string>();
  /** chat id → how many 429s to answer before accepting. */
  readonly throttleFirst = new Map<string, number>();
  /** The retry_after those 429s carry, in seconds. */
  retryAfter = 1;
  requests = 0;
  private server?: http.Server;
  private nextId = 1;

  constructor(readonly token: string) {}

  get url() {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  countFor(chatId: string) {
    return this.messages.filter((m) => m.chat_id === chatId).length;
  }

  async listen() {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => this.handle(req, res, body));
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
  }

  private reply(res: http.ServerResponse, status: number, obj: unknown) {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(obj));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse, raw: string) {
    this.requests++;
    const m = /^\/bot([^/]+)\/(\w+)$/.exec(req.url ?? '');
    if (!m) return this.reply(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    if (m[1] !== this.token) return this.reply(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
    if (m[2] !== 'sendMessage') return this.reply(res, 404, { ok: false, error_code: 404, description: 'Not Found: method not found' });
    let p: Record<string, unknown>;
    try {
      p = (req.headers['content-type'] ?? '').includes('json') ? JSON.parse(raw) : Object.fromEntries(new URLSearchParams(raw));
    } catch {
      return this.reply(res, 400, { ok: false, error_code: 400, description: 'Bad Request: invalid JSON' });
    }
    const chat = p.chat_id === undefined ? '' : String(p.chat_id);
    const text = typeof p.text === 'string' ? p.text : '';
    if (!chat) return this.reply(res, 400, { ok: false, error_code: 400, description: 'Bad Request: chat_id is empty' });
    if (!text) return this.reply(res, 400, { ok: false, error_code: 400, description: 'Bad Request: message text is empty' });
    if (p.parse_mode === 'HTML' && !validTelegramHtml(text)) return this.reply(res, 400, { ok: false, error_code: 400, description: "Bad Request: can't parse entities: Unsupported start tag" });
    if (this.blocked.has(chat)) return this.reply(res, 403, { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' });
    const left = this.throttleFirst.get(chat) ?? 0;
    if (left > 0) {
      this.throttleFirst.set(chat, left - 1);
      return this.reply(res, 429, { ok: false, error_code: 429, description: `Too Many Requests: retry after ${this.retryAfter}`, parameters: { retry_after: this.retryAfter } });
    }
    this.messages.push({ chat_id: chat, text, parse_mode: p.parse_mode as string | undefined });
    const id = this.nextId++;
    this.reply(res, 200, { ok: true, result: { message_id: id, from: { id: 1, is_bot: true, first_name: 'ISP Bot', username: 'isp_bot' }, chat: { id: Number(chat) || chat, type: 'private' }, date: Math.floor(Date.now() / 1000), text: text.replace(/<[^>]+>/g, '') } });
  }

  async close() {
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }
}

/** The Bot API's HTML: tags b/strong/i/em/u/ins/s/strike/del/a/code/pre/span/tg-spoiler/blockquote; & must start an entity. */
function validTelegramHtml(s: string): boolean {
  const allowed = new Set(['b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'a', 'code', 'pre', 'span', 'tg-spoiler', 'blockquote']);
  const stack: string[] = [];
  const re = /<(\/?)([a-z-]+)(\s[^>]*)?>|<|&(#\d+|#x[0-9a-f]+|lt|gt|amp|quot);|&/gi;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) {
    if (m[0] === '<' || m[0] === '&') return false;
    if (m[0].startsWith('&')) continue;
    const tag = m[2].toLowerCase();
    if (!allowed.has(tag)) return false;
    if (m[1]) {
      if (stack.pop() !== tag) return false;
    } else stack.push(tag);
  }
  return stack.length === 0 && !/>/.test(s.replace(re, ''));
}
