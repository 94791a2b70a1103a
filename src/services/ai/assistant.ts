/**
 * The AI assistant. It answers from the ISP's own data by calling ispgate's actions as tools: the tool list is built
 * from describe (each action's JSON Schema becomes a function), filtered to what the caller may do and to reads
 * unless writes are enabled; each call runs through invokeAs, i.e. as the caller, with permissions, validation,
 * rate limits and audit. A write the model asks for is stored as a proposal and only runs on ai_confirm.
 */
import crypto from 'node:crypto';
import { nowUtc, parseJson, toIso } from '../../db/knex';
import { AppError, isAppError } from '../../errors';
import type { ServiceContext } from '../context';
import type { AnyAction } from '../../gateway/action';
import { mayCall } from '../../gateway/invoke';
import { parsePermission } from '../../gateway/permissions';
import { ChatClient, type ChatMessage, type ChatTool } from '../../adapters/openai/chat';
import { getSettings, putSettings } from '../core/settings';

const PREFIX = 'ai';
export const DEFAULT_BASE_URL = 'https://api.openai.com/v1';
const MAX_ROUNDS = 6;
const MAX_TOOLS = 128; // the Chat Completions limit on functions in one request
const RESULT_CHARS = 12_000;

/** Actions never offered as tools: the assistant itself, secrets and credentials, sessions. */
const NEVER = new Set(['describe', 'login', 'logout', 'ai_ask', 'ai_confirm', 'ai_draft_reply', 'save_ai_settings', 'get_ai_settings', 'api_key_create', 'api_key_revoke', 'save_notification_settings', 'invoice_pdf']);
const NEVER_SECTIONS = new Set(['admins', 'api_keys', 'tenants', 'webhooks', 'system']);

/** USD per million tokens (input, output) for the models named in the issue; others cost what the settings say. */
const PRICES: Record<string, [number, number]> = { 'gpt-4o': [2.5, 10], 'gpt-4o-mini': [0.15, 0.6] };

export interface AiSettingsInput {
  model?: string;
  api_key?: string | null;
  base_url?: string | null;
  temperature?: number;
  system_prompt?: string | null;
  language?: 'el' | 'en';
  mode?: 'read_only' | 'allow_writes';
  daily_token_budget?: number;
  price_input_per_million?: number | null;
  price_output_per_million?: number | null;
}

type Ctx = Pick<ServiceContext, 'db' | 'secrets'>;

export async function saveAiSettings(ctx: Ctx, input: AiSettingsInput) {
  const values: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) {
    if (v === undefined) continue;
    if (k === 'api_key') values.api_key_enc = v === null ? null : ctx.secrets.encrypt(String(v));
    else values[k] = v;
  }
  await putSettings(ctx.db, PREFIX, values);
  return publicAiSettings(ctx);
}

export async function publicAiSettings(ctx: Pick<ServiceContext, 'db'>) {
  const s = await getSettings(ctx.db, PREFIX);
  const today = new Date().toISOString().slice(0, 10);
  const used = await ctx.db('ai_usage').where({ day: today }).sum({ t: 'total_tokens' }).sum({ c: 'cost_micro_usd' }).first();
  return {
    model: (s.model as string) ?? 'gpt-4o-mini',
    api_key_set: Boolean(s.api_key_enc),
    base_url: (s.base_url as string) ?? DEFAULT_BASE_URL,
    temperature: (s.temperature as number) ?? 0.2,
    system_prompt: (s.system_prompt as string) ?? null,
    language: (s.language as string) ?? 'el',
    mode: (s.mode as string) ?? 'read_only',
    daily_token_budget: (s.daily_token_budget as number) ?? 200_000,
    price_input_per_million: (s.price_input_per_million as number) ?? null,
    price_output_per_million: (s.price_output_per_million as number) ?? null,
    usage_today: { tokens: Number(used?.t ?? 0), cost_usd: Number(used?.c ?? 0) / 1e6 },
  };
}

async function loaded(ctx: ServiceContext) {
  const s = await getSettings(ctx.db, PREFIX);
  if (!s.api_key_enc) throw new AppError('ai_not_configured', 'The AI assistant has no API key: save_ai_settings with api_key (and base_url for a non-OpenAI server) first.', 409);
  const pub = await publicAiSettings(ctx);
  return { ...pub, apiKey: ctx.secrets.decrypt(s.api_key_enc as string) };
}
type Loaded = Awaited<ReturnType<typeof loaded>>;

async function checkBudget(ctx: ServiceContext, st: Loaded) {
  if (st.usage_today.tokens >= st.daily_token_budget)
    throw new AppError('ai_budget_exceeded', `Today's AI budget of ${st.daily_token_budget} tokens is spent (${st.usage_today.tokens} used); it resets at midnight UTC.`, 429, { extra: { retry_after: secondsToMidnight() } });
}

function secondsToMidnight() {
  const now = new Date();
  const next = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  return Math.ceil((next - now.getTime()) / 1000);
}

async function recordUsage(ctx: ServiceContext, st: Loaded, kind: string, usage: { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number } | undefined) {
  const p = usage?.prompt_tokens ?? 0;
  const c = usage?.completion_tokens ?? 0;
  const price = PRICES[st.model] ?? [st.price_input_per_million ?? 0, st.price_output_per_million ?? 0];
  const costMicro = Math.round(p * price[0] + c * price[1]);
  await ctx.db('ai_usage').insert({
    kind,
    model: st.model.slice(0, 64),
    prompt_tokens: p,
    completion_tokens: c,
    total_tokens: usage?.total_tokens ?? p + c,
    cost_micro_usd: costMicro,
    actor: ctx.actor.username?.slice(0, 128) ?? null,
    day: new Date().toISOString().slice(0, 10),
    created_at: nowUtc(),
  });
  return { prompt_tokens: p, completion_tokens: c, cost_micro_usd: costMicro };
}

function isRead(a: AnyAction) {
  return parsePermission(a.permission)?.level === 'read';
}

/** Function parameters from an action's input JSON Schema: an object schema without the draft marker. */
function parametersOf(schema: unknown): Record<string, unknown> {
  const s = { ...((schema as Record<string, unknown>) ?? {}) };
  delete s.$schema;
  if (s.type !== 'object') return { type: 'object', properties: {} };
  return s;
}

export interface ToolBox {
  actions: () => AnyAction[];
  describe: () => Array<Record<string, unknown>>;
  /** Runs one action as the caller (the gateway's invokeAs: permission, validation, rate limit, audit). */
  invoke: (action: AnyAction, params: Record<string, unknown>) => Promise<unknown>;
}

function toolsFor(ctx: ServiceContext, box: ToolBox, allowWrites: boolean) {
  const byName = new Map(box.actions().map((a) => [a.name, a]));
  const offered: AnyAction[] = [];
  const defs: ChatTool[] = [];
  for (const d of box.describe()) {
    const a = byName.get(String(d.action));
    if (!a || NEVER.has(a.name) || NEVER_SECTIONS.has(a.section) || typeof a.permission !== 'string') continue;
    if (!mayCall(ctx, a)) continue;
    if (!isRead(a) && !allowWrites) continue;
    if (defs.length >= MAX_TOOLS) break;
    offered.push(a);
    defs.push({ type: 'function', function: { name: a.name, description: `${a.summary}${isRead(a) ? '' : ' (a write: it is proposed to the operator, who confirms it)'}`.slice(0, 1000), parameters: parametersOf(d.input) } });
  }
  return { offered: new Map(offered.map((a) => [a.name, a])), defs, byName };
}

function systemPrompt(st: Loaded) {
  const lang = st.language === 'en' ? 'English' : 'Greek';
  return [
    st.system_prompt ?? 'You are the support assistant of an Internet Service Provider. You help the ISP’s staff.',
    `Answer in ${lang}. Use the tools to look up the ISP's own data instead of guessing, and say which data you used.`,
    st.mode === 'allow_writes' ? 'Changes you request with a tool are not made at once: they are proposed to the operator for confirmation.' : 'You can only read data; you cannot change anything.',
  ].join('\n');
}

export interface AskResult {
  answer: string;
  actions_used: Array<{ action: string; ok: boolean; error?: string }>;
  proposals: Array<{ id: string; action: string; params: Record<string, unknown> }>;
  usage: { prompt_tokens: number; completion_tokens: number; cost_usd: number; calls: number };
  model: string;
}

export async function aiAsk(ctx: ServiceContext, box: ToolBox, input: { question: string; username?: string; ticket_id?: number }): Promise<AskResult> {
  const st = await loaded(ctx);
  await checkBudget(ctx, st);
  const client = new ChatClient({ apiKey: st.apiKey, baseUrl: st.base_url, timeoutMs: ctx.config.AI_TIMEOUT_MS });
  const { offered, defs, byName } = toolsFor(ctx, box, st.mode === 'allow_writes');
  const used: AskResult['actions_used'] = [];
  const proposals: AskResult['proposals'] = [];
  const context: string[] = [];
  if (input.username) context.push(`The question is about the subscriber with username "${input.username}".`);
  if (input.ticket_id) context.push(`The question is about helpdesk ticket #${input.ticket_id} (get_ticket reads it).`);
  const messages: ChatMessage[] = [
    { role: 'system', content: systemPrompt(st) },
    { role: 'user', content: context.length ? `${context.join(' ')}\n\n${input.question}` : input.question },
  ];
  const total = { prompt_tokens: 0, completion_tokens: 0, cost_micro_usd: 0, calls: 0 };
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const res = await client.complete({ model: st.model, messages, tools: defs, temperature: st.temperature });
    const u = await recordUsage(ctx, st, 'ask', res.usage);
    total.prompt_tokens += u.prompt_tokens;
    total.completion_tokens += u.completion_tokens;
    total.cost_micro_usd += u.cost_micro_usd;
    total.calls++;
    const msg = res.choices[0]?.message;
    if (!msg) throw new AppError('ai_provider_error', 'The AI provider answered without a message.', 502);
    const calls = (msg.tool_calls ?? []).filter((c) => c.type === 'function');
    if (!calls.length || round === MAX_ROUNDS - 1) {
      return {
        answer: msg.content ?? '',
        actions_used: used,
        proposals,
        usage: { prompt_tokens: total.prompt_tokens, completion_tokens: total.completion_tokens, cost_usd: total.cost_micro_usd / 1e6, calls: total.calls },
        model: st.model,
      };
    }
    messages.push({ role: 'assistant', content: msg.content ?? null, tool_calls: calls });
    for (const call of calls) {
      const name = call.function.name;
      let content: unknown;
      const args = parseJson<Record<string, unknown>>(call.function.arguments, {});
      const action = offered.get(name);
      if (!action) {
        // Not offered: unknown, or the caller lacks the right, or a write while writes are off. Refuse, say why.
        const exists = byName.get(name);
        const why = !exists || NEVER.has(name) ? 'unknown_tool' : !mayCall(ctx, exists) ? 'forbidden' : 'writes_disabled';
        used.push({ action: name, ok: false, error: why });
        content = { ok: false, error: why, message: why === 'forbidden' ? 'The user you act for may not use this action.' : why === 'writes_disabled' ? 'The assistant is read-only.' : 'No such tool.' };
      } else if (!isRead(action)) {
        const id = crypto.randomUUID();
        await ctx.db('ai_proposals').insert({ id, action: name, params: JSON.stringify(args).slice(0, 60_000), status: 'pending', actor_type: ctx.actor.type, actor_admin_id: ctx.actor.adminId, actor_api_key_id: ctx.actor.apiKeyId, created_at: nowUtc() });
        proposals.push({ id, action: name, params: args });
        used.push({ action: name, ok: true });
        content = { ok: true, proposal_id: id, status: 'awaiting_confirmation', message: 'Proposed to the operator; it runs only when they confirm it.' };
      } else {
        try {
          const data = await box.invoke(action, args);
          used.push({ action: name, ok: true });
          content = { ok: true, data };
        } catch (e) {
          const code = isAppError(e) ? e.code : 'internal_error';
          used.push({ action: name, ok: false, error: code });
          content = { ok: false, error: code, message: isAppError(e) ? e.message : 'The action failed.' };
        }
      }
      messages.push({ role: 'tool', tool_call_id: call.id, content: JSON.stringify(content, pageAware).slice(0, RESULT_CHARS) });
    }
  }
  throw new AppError('ai_provider_error', 'The assistant did not finish.', 502);
}

/** A Page (list result) serialises as its items and meta. */
function pageAware(_k: string, v: unknown) {
  if (v && typeof v === 'object' && 'items' in v && 'meta' in v && (v as { constructor: { name: string } }).constructor?.name === 'Page') return { data: (v as { items: unknown }).items, meta: (v as { meta: unknown }).meta };
  return v;
}

export async function aiConfirm(ctx: ServiceContext, box: ToolBox, proposalId: string) {
  const p = await ctx.db('ai_proposals').where({ id: proposalId }).first();
  if (!p) throw new AppError('proposal_not_found', `No proposal ${proposalId}.`, 404);
  const sameCaller = p.actor_type === ctx.actor.type && (p.actor_admin_id ?? null) === (ctx.actor.adminId ?? null) && (p.actor_api_key_id ?? null) === (ctx.actor.apiKeyId ?? null);
  if (!sameCaller) throw new AppError('forbidden', 'Only the caller the assistant made the proposal for may confirm it.', 403);
  // Claim it first, so two confirmations cannot both run the write.
  const claimed = await ctx.db('ai_proposals').where({ id: proposalId, status: 'pending' }).update({ status: 'running', decided_at: nowUtc() });
  if (!claimed) throw new AppError('proposal_already_decided', `Proposal ${proposalId} was already ${p.status}.`, 409);
  const action = box.actions().find((a) => a.name === p.action);
  try {
    if (!action) throw new AppError('unknown_action', `The action ${p.action} no longer exists.`, 404);
    const data = await box.invoke(action, parseJson(p.params, {}));
    await ctx.db('ai_proposals').where({ id: proposalId }).update({ status: 'confirmed', result: JSON.stringify(data ?? null, pageAware).slice(0, 60_000) });
    return { id: proposalId, action: p.action, status: 'confirmed', result: data };
  } catch (e) {
    await ctx.db('ai_proposals').where({ id: proposalId }).update({ status: 'failed', result: JSON.stringify({ error: isAppError(e) ? e.code : 'internal_error' }) });
    throw e;
  }
}

/** A reply draft for the operator from the ticket thread and the subscriber's state; never sent by itself. */
export async function aiDraftReply(ctx: ServiceContext, box: ToolBox, ticketId: number) {
  const st = await loaded(ctx);
  await checkBudget(ctx, st);
  const byName = new Map(box.actions().map((a) => [a.name, a]));
  const ticket = (await box.invoke(byName.get('get_ticket')!, { id: ticketId })) as { subject: string; customer: { username: string } | null; messages: Array<{ kind: string; author_type: string; body: string }> };
  let customer: unknown = null;
  const used = ['get_ticket'];
  if (ticket.customer && mayCall(ctx, byName.get('get_customer')!)) {
    customer = await box.invoke(byName.get('get_customer')!, { username: ticket.customer.username }).catch(() => null);
    if (customer) used.push('get_customer');
  }
  const thread = ticket.messages
    .filter((m) => m.kind !== 'note')
    .map((m) => `[${m.author_type}] ${m.body}`)
    .join('\n---\n');
  const client = new ChatClient({ apiKey: st.apiKey, baseUrl: st.base_url, timeoutMs: ctx.config.AI_TIMEOUT_MS });
  const res = await client.complete({
    model: st.model,
    temperature: st.temperature,
    messages: [
      { role: 'system', content: `${systemPrompt(st)}\nWrite a reply to the subscriber for the operator to review. Only the reply text.` },
      { role: 'user', content: `Ticket: ${ticket.subject}\n\nThread:\n${thread}\n\nSubscriber state: ${JSON.stringify(customer).slice(0, 4000)}` },
    ],
  });
  const u = await recordUsage(ctx, st, 'draft', res.usage);
  return { ticket_id: ticketId, draft: res.choices[0]?.message?.content ?? '', actions_used: used, sent: false, usage: { prompt_tokens: u.prompt_tokens, completion_tokens: u.completion_tokens, cost_usd: u.cost_micro_usd / 1e6 }, created_at: toIso(nowUtc()) };
}
