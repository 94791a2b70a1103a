import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Turn = (req: any) => { status?: number; body: unknown } | unknown;

/**
 * An OpenAI-compatible Chat Completions server on loopback: POST /v1/chat/completions with Bearer auth. It answers
 * 401 with OpenAI's error body for another key, 400 for a request without model or messages or with a tool message
 * that answers no earlier tool call, and otherwise plays the scripted turns in order (each sees the request).
 */
export class FakeOpenAI {
  readonly requests: any[] = [];
  turns: Turn[] = [];
  private server?: http.Server;
  private seq = 0;

  constructor(public apiKey: string) {}

  get baseUrl() {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/v1`;
  }

  async listen() {
    this.server = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => this.handle(req, res, raw));
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
  }

  private send(res: http.ServerResponse, status: number, body: unknown) {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse, raw: string) {
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') return this.send(res, 404, { error: { message: 'Not found', type: 'invalid_request_error', code: 'unknown_url' } });
    if (req.headers.authorization !== `Bearer ${this.apiKey}`)
      return this.send(res, 401, { error: { message: 'Incorrect API key provided: sk-***.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } });
    let body: any;
    try {
      body = JSON.parse(raw);
    } catch {
      return this.send(res, 400, { error: { message: 'We could not parse the JSON body of your request.', type: 'invalid_request_error' } });
    }
    if (!body.model || !Array.isArray(body.messages) || !body.messages.length) return this.send(res, 400, { error: { message: "Missing required parameter: 'model' or 'messages'.", type: 'invalid_request_error' } });
    const callIds = new Set<string>();
    for (const m of body.messages) {
      for (const c of m.tool_calls ?? []) callIds.add(c.id);
      if (m.role === 'tool' && !callIds.has(m.tool_call_id)) return this.send(res, 400, { error: { message: "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.", type: 'invalid_request_error' } });
    }
    this.requests.push(body);
    const turn = this.turns.shift();
    if (!turn) return this.send(res, 500, { error: { message: 'fake has no scripted turn left', type: 'server_error' } });
    const out = turn(body) as any;
    if (out && typeof out === 'object' && 'status' in out) return this.send(res, out.status, out.body);
    this.send(res, 200, out);
  }

  /** A completion that answers text, or calls tools. */
  reply(content: string | null, toolCalls?: Array<{ name: string; args: Record<string, unknown> }>) {
    const id = `chatcmpl-${++this.seq}`;
    return {
      id,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: 'gpt-4o-mini-2024-07-18',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content, refusal: null, ...(toolCalls ? { tool_calls: toolCalls.map((c, i) => ({ id: `call_${this.seq}_${i}`, type: 'function', function: { name: c.name, arguments: JSON.stringify(c.args) } })) } : {}) },
          logprobs: null,
          finish_reason: toolCalls ? 'tool_calls' : 'stop',
        },
      ],
      usage: { prompt_tokens: 120, completion_tokens: 30, total_tokens: 150 },
    };
  }

  async close() {
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }
}
