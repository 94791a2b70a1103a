/**
 * Chat Completions through the official `openai` SDK, pointed at any OpenAI-compatible server with baseURL.
 * Provider failures become our codes: ai_auth_failed (401/403), ai_rate_limited (429), ai_unreachable (network,
 * timeout, 5xx), ai_provider_error (anything else the provider refused).
 */
import type OpenAI from 'openai';

/** The SDK is loaded when the first client is made, not at start. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const openaiSdk = (): typeof OpenAI => require('openai') as typeof OpenAI;
import { AppError } from '../../errors';

export type ChatMessage = OpenAI.Chat.Completions.ChatCompletionMessageParam;
export type ChatTool = OpenAI.Chat.Completions.ChatCompletionTool;
export type ChatResponse = OpenAI.Chat.Completions.ChatCompletion;

export interface ChatClientOptions {
  apiKey: string;
  baseUrl: string;
  timeoutMs: number;
}

export class ChatClient {
  private readonly client: OpenAI;

  constructor(opts: ChatClientOptions) {
    // Retries are ours to decide (the budget counts every call), so the SDK does not retry on its own.
    this.client = new (openaiSdk())({ apiKey: opts.apiKey, baseURL: opts.baseUrl, timeout: opts.timeoutMs, maxRetries: 0 });
  }

  async complete(req: { model: string; messages: ChatMessage[]; tools?: ChatTool[]; temperature?: number; maxTokens?: number }): Promise<ChatResponse> {
    try {
      return await this.client.chat.completions.create({
        model: req.model,
        messages: req.messages,
        ...(req.tools && req.tools.length ? { tools: req.tools, tool_choice: 'auto' as const } : {}),
        ...(req.temperature !== undefined ? { temperature: req.temperature } : {}),
        ...(req.maxTokens ? { max_completion_tokens: req.maxTokens } : {}),
      });
    } catch (e) {
      throw mapError(e);
    }
  }
}

function mapError(e: unknown): AppError {
  if (e instanceof openaiSdk().APIConnectionError) return new AppError('ai_unreachable', 'The AI provider could not be reached (network error or timeout).', 502, { cause: e });
  if (e instanceof openaiSdk().APIError) {
    const status = e.status ?? 0;
    const detail = (e.message ?? '').replace(/sk-[A-Za-z0-9_-]+/g, 'sk-…').slice(0, 200);
    if (status === 401 || status === 403) return new AppError('ai_auth_failed', `The AI provider refused the API key: ${detail}`, 502, { cause: e });
    if (status === 429) return new AppError('ai_rate_limited', `The AI provider is rate limiting or out of quota: ${detail}`, 503, { cause: e });
    if (status >= 500) return new AppError('ai_unreachable', `The AI provider failed (${status}).`, 502, { cause: e });
    return new AppError('ai_provider_error', `The AI provider refused the request (${status}): ${detail}`, 502, { cause: e });
  }
  return new AppError('ai_unreachable', 'The AI provider could not be reached.', 502, { cause: e });
}
