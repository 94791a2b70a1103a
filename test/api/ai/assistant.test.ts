import { nowUtc } from '../../../src/db/knex';
import { makeTestApp, type TestApp } from '../../helpers/app';
import { FakeOpenAI } from '../../fakes/openai-server';

const KEY = 'sk-test-0123456789abcdef';
let t: TestApp;
let ai: FakeOpenAI;
let helen: string; // support admin: customers/radius read, tickets write, ai write; no billing
let ticketId: number;

beforeAll(async () => {
  ai = new FakeOpenAI(KEY);
  await ai.listen();
  t = await makeTestApp();
  await t.call('add_plan', { name: 'FTTH 100', download: '100M', upload: '10M', price: '25' });
  await t.call('add', { username: 'maria', password: 'pw-123456', plan: 'FTTH 100', fullname: 'Maria K' });
  const now = nowUtc();
  await t.db('radacct').insert({ acctsessionid: 'S1', acctuniqueid: 'U1', username: 'maria', nasipaddress: '10.0.0.1', acctstarttime: now, acctupdatetime: now, framedipaddress: '100.64.0.5', acctinputoctets: 1000, acctoutputoctets: 5000 });
  expect((await t.call('add_web_admin', { username: 'helen', password: 'helen-password-1', role: 'support', permissions: { customers: 'read', radius: 'read', tickets: 'write', ai: 'write' } })).ok).toBe(true);
  helen = (await t.call('api_key_create', { name: 'helen', admin: 'helen' })).data.key;
  ticketId = (await t.call('ticket_create', { username: 'maria', subject: 'Slow internet', body: 'Speed is 2 Mbps since yesterday' })).data.id;
});
afterAll(async () => {
  await t.close();
  await ai.close();
});

test('save_ai_settings seals the key; get_ai_settings never returns it', async () => {
  const r = await t.call('save_ai_settings', { model: 'gpt-4o-mini', api_key: KEY, base_url: ai.baseUrl, temperature: '0.1', language: 'en', daily_token_budget: '100000' });
  expect(r.data).toMatchObject({ model: 'gpt-4o-mini', api_key_set: true, base_url: ai.baseUrl, temperature: 0.1, mode: 'read_only', daily_token_budget: 100000 });
  expect(JSON.stringify(r)).not.toContain(KEY);
  expect(JSON.stringify(await t.db('settings').where('key', 'like', 'ai.%'))).not.toContain(KEY);
  expect(JSON.stringify((await t.call('get_ai_settings')).data)).not.toContain(KEY);
  expect((await t.call('save_ai_settings', { temperature: '3' })).error).toBe('invalid_temperature');
  expect((await t.call('save_ai_settings', { mode: 'yolo' })).error).toBe('invalid_mode');
  expect((await t.call('save_ai_settings', { base_url: 'ftp://x' })).error).toBe('invalid_base_url');
});

test('ai_ask calls list_customers and radius_sessions as the caller and refuses a tool the caller lacks rights for', async () => {
  ai.turns = [
    () => ai.reply(null, [
      { name: 'list_customers', args: { search: 'maria' } },
      { name: 'radius_sessions', args: { username: 'maria' } },
      { name: 'list_invoices', args: {} },
    ]),
    (req) => {
      const tools = req.messages.filter((m: any) => m.role === 'tool').map((m: any) => JSON.parse(m.content));
      const customers = tools[0].data.data ?? tools[0].data;
      const sessions = tools[1].data.data ?? tools[1].data;
      return ai.reply(`Maria (${customers[0].username}) is online with ${sessions.length} session(s); I could not read invoices (${tools[2].error}).`);
    },
  ];
  const r = await t.call('ai_ask', { question: 'Is maria online and does she owe anything?', username: 'maria' }, { key: helen });
  expect(r.data).toMatchObject({
    answer: 'Maria (maria) is online with 1 session(s); I could not read invoices (forbidden).',
    actions_used: [
      { action: 'list_customers', ok: true },
      { action: 'radius_sessions', ok: true },
      { action: 'list_invoices', ok: false, error: 'forbidden' },
    ],
    proposals: [],
    usage: { prompt_tokens: 240, completion_tokens: 60, calls: 2 },
  });
  // The tools offered were the caller's reads only.
  const offered = ai.requests[0].tools.map((x: any) => x.function.name);
  expect(offered).toEqual(expect.arrayContaining(['list_customers', 'radius_sessions', 'get_ticket']));
  expect(offered).not.toContain('list_invoices');
  expect(offered).not.toContain('ticket_priority');
  expect(offered).not.toContain('delete');
  expect(ai.requests[0].model).toBe('gpt-4o-mini');
  expect(ai.requests[0].tools.find((x: any) => x.function.name === 'radius_sessions').function.parameters.properties).toHaveProperty('username');
  expect(ai.requests[0].messages[1].content).toContain('username "maria"');
  const usage = await t.db('ai_usage').orderBy('id');
  expect(usage.map((u) => [u.kind, u.total_tokens, u.actor])).toEqual([['ask', 150, 'helen'], ['ask', 150, 'helen']]);
  expect(Number(usage[0].cost_micro_usd)).toBe(Math.round(120 * 0.15 + 30 * 0.6));
});

test('a write is proposed, never run on its own, and runs on ai_confirm by the same caller', async () => {
  await t.call('save_ai_settings', { mode: 'allow_writes' });
  ai.turns = [() => ai.reply(null, [{ name: 'ticket_priority', args: { id: ticketId, priority: 'urgent' } }]), () => ai.reply('I proposed raising the priority to urgent.')];
  const r = await t.call('ai_ask', { question: 'Make this ticket urgent', ticket_id: ticketId }, { key: helen });
  expect(r.data.proposals).toEqual([{ id: expect.any(String), action: 'ticket_priority', params: { id: ticketId, priority: 'urgent' } }]);
  expect(ai.requests.at(-2).tools.map((x: any) => x.function.name)).toContain('ticket_priority');
  expect((await t.db('tickets').where({ id: ticketId }).first()).priority).toBe('normal');
  const pid = r.data.proposals[0].id;
  expect((await t.call('ai_confirm', { id: pid })).error).toBe('forbidden');
  const c = await t.call('ai_confirm', { id: pid }, { key: helen });
  expect(c.data).toMatchObject({ id: pid, status: 'confirmed', result: { priority: 'urgent' } });
  expect((await t.db('tickets').where({ id: ticketId }).first()).priority).toBe('urgent');
  expect((await t.db('audit_log').where({ action: 'ticket_priority' }).orderBy('id', 'desc').first()).actor_name).toBe('helen');
  expect((await t.call('ai_confirm', { id: pid }, { key: helen })).error).toBe('proposal_already_decided');
  expect((await t.call('ai_confirm', { id: 'not-a-uuid' }, { key: helen })).error).toBe('invalid_id');
  expect((await t.call('ai_confirm', { id: '00000000-0000-4000-8000-000000000000' }, { key: helen })).error).toBe('proposal_not_found');
  await t.call('save_ai_settings', { mode: 'read_only' });
});

test('ai_draft_reply drafts from the thread and the subscriber, and sends nothing', async () => {
  ai.turns = [(req) => ai.reply(req.messages[1].content.includes('Speed is 2 Mbps since yesterday') && req.messages[1].content.includes('"username":"maria"') ? 'Dear Maria, we are checking your line.' : 'NO CONTEXT')];
  const before = await t.db('ticket_messages').where({ ticket_id: ticketId }).count({ n: '*' });
  const r = await t.call('ai_draft_reply', { id: ticketId }, { key: helen });
  expect(r.data).toMatchObject({ ticket_id: ticketId, draft: 'Dear Maria, we are checking your line.', sent: false, actions_used: ['get_ticket', 'get_customer'] });
  expect(await t.db('ticket_messages').where({ ticket_id: ticketId }).count({ n: '*' })).toEqual(before);
  expect(ai.requests.at(-1).tools).toBeUndefined();
  expect((await t.call('ai_draft_reply', {}, { key: helen })).error).toBe('missing_id');
  expect((await t.call('ai_draft_reply', { id: 99999 }, { key: helen })).error).toBe('ticket_not_found');
});

test('provider errors map to clear codes; the budget stops calls', async () => {
  expect((await t.call('ai_ask', {})).error).toBe('missing_question');
  ai.turns = [() => ({ status: 429, body: { error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } } })];
  expect((await t.call('ai_ask', { question: 'hi' })).error).toBe('ai_rate_limited');
  await t.call('save_ai_settings', { api_key: 'sk-wrong-key-123456' });
  const bad = await t.call('ai_ask', { question: 'hi' });
  expect(bad.error).toBe('ai_auth_failed');
  expect(bad.message).not.toContain('sk-wrong-key-123456');
  await t.call('save_ai_settings', { api_key: KEY, base_url: 'http://127.0.0.1:1/v1' });
  expect((await t.call('ai_ask', { question: 'hi' })).error).toBe('ai_unreachable');
  await t.call('save_ai_settings', { base_url: ai.baseUrl, daily_token_budget: '100' });
  const over = await t.call('ai_ask', { question: 'hi' });
  expect(over.error).toBe('ai_budget_exceeded');
  expect((await t.call('get_ai_settings')).data.usage_today.tokens).toBeGreaterThanOrEqual(450);
});

test('ai_ask without rights on ai is refused; without settings it says so', async () => {
  const k = await t.call('api_key_create', { name: 'bill', admin: (await t.call('add_web_admin', { username: 'bill', password: 'bill-password-12', role: 'billing' })).data.username });
  expect((await t.call('ai_ask', { question: 'x' }, { key: k.data.key })).error).toBe('forbidden');
  expect((await t.call('get_ai_settings', {}, { key: k.data.key })).error).toBe('forbidden');
  await t.db('settings').where({ key: 'ai.api_key_enc' }).delete();
  expect((await t.call('ai_ask', { question: 'x' })).error).toBe('ai_not_configured');
});
