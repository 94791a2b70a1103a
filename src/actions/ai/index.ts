import { z } from 'zod';
import { defineAction, type ActionContext, type AnyAction } from '../../gateway/action';
import { invokeAs } from '../../gateway/invoke';
import { blank, id, optionalText } from '../../gateway/fields';
import { aiAsk, aiConfirm, aiDraftReply, publicAiSettings, saveAiSettings, type ToolBox } from '../../services/ai/assistant';

const lower = (v: unknown) => (typeof v === 'string' ? v.trim().toLowerCase() : v);

/** Built with the final action list, like describe: the assistant's tools are the registry's actions. */
export function aiActions(describe: () => Array<Record<string, unknown>>, actions: () => AnyAction[]): AnyAction[] {
  // The assistant runs tools as the caller through invokeAs (permissions, validation, rate limit, audit).
  const box = (ctx: ActionContext): ToolBox => ({ describe, actions, invoke: (action, params) => invokeAs(ctx, action, params) });
  const saveAi = defineAction({
    name: 'save_ai_settings',
    section: 'ai',
    summary: 'Configure AI assistant — model selection (GPT-4o, GPT-4o-mini), API key, behavior',
    input: z.object({
      model: optionalText(64),
      api_key: z.preprocess((v) => (v === '' ? null : v), z.string().trim().min(8).max(255).nullable().optional()),
      base_url: z.preprocess((v) => (v === '' ? null : v), z.string().trim().url().max(255).refine((u) => /^https?:\/\//i.test(u), 'must be an http or https URL').nullable().optional()),
      temperature: z.preprocess(blank, z.coerce.number().min(0).max(2).optional()),
      system_prompt: z.preprocess((v) => (v === '' ? null : v), z.string().trim().max(4000).nullable().optional()),
      language: z.preprocess((v) => lower(blank(v)), z.enum(['el', 'en']).optional()),
      mode: z.preprocess((v) => lower(blank(v)), z.enum(['read_only', 'allow_writes']).optional()),
      daily_token_budget: z.preprocess(blank, z.coerce.number().int().min(0).max(100_000_000).optional()),
      price_input_per_million: z.preprocess(blank, z.coerce.number().min(0).max(1000).optional()),
      price_output_per_million: z.preprocess(blank, z.coerce.number().min(0).max(1000).optional()),
    }),
    permission: 'ai.write',
    rateClass: 'standard',
    run: (ctx, input) => saveAiSettings(ctx, input),
  });
  const getAi = defineAction({
    name: 'get_ai_settings',
    section: 'ai',
    summary: 'AI assistant settings and today’s token usage (never the API key)',
    input: z.object({}).passthrough(),
    permission: 'ai.read',
    rateClass: 'standard',
    methods: ['GET', 'POST'],
    run: (ctx) => publicAiSettings(ctx),
  });
  const ask = defineAction({
    name: 'ai_ask',
    section: 'ai',
    summary: "Ask the assistant; it answers from the ISP's data by calling actions as the caller and returns {answer, actions_used, proposals}",
    input: z.object({ question: z.string().trim().min(1).max(4000), username: optionalText(64), ticket_id: z.preprocess(blank, z.coerce.number().int().positive().optional()) }),
    permission: 'ai.read',
    rateClass: 'billing',
    audit: true,
    run: (ctx, input) => aiAsk(ctx, box(ctx), input),
  });
  const confirm = defineAction({
    name: 'ai_confirm',
    section: 'ai',
    summary: 'Run a write the assistant proposed (proposal id), as the caller it was proposed for',
    input: z.object({ id: z.string().trim().uuid() }),
    permission: 'ai.write',
    rateClass: 'standard',
    run: (ctx, input) => aiConfirm(ctx, box(ctx), input.id),
  });
  const draft = defineAction({
    name: 'ai_draft_reply',
    section: 'ai',
    summary: 'A reply draft for a ticket from its thread and the subscriber’s state, for the operator to edit; never sent',
    input: z.object({ id }),
    permission: 'ai.read',
    rateClass: 'billing',
    audit: true,
    run: (ctx, input) => aiDraftReply(ctx, box(ctx), input.id),
  });
  return [saveAi, getAi, ask, confirm, draft];
}
