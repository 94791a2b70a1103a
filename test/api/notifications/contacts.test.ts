import { makeTestApp, type TestApp } from '../../helpers/app';
import { FakeTelegram } from '../../fakes/telegram-server';

const TOKEN = '123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11';
let t: TestApp;
let tg: FakeTelegram;

beforeAll(async () => {
  tg = new FakeTelegram(TOKEN);
  await tg.listen();
  t = await makeTestApp();
  await t.call('add_plan', { name: 'FTTH 100', download: '100M', upload: '10M', price: '25' });
  await t.call('save_notification_settings', { telegram_bot_token: TOKEN, telegram_base_url: tg.url });
});
afterAll(async () => {
  await t.close();
  await tg.close();
});

test('add and edit take a subscriber’s telegram_chat_id, validated; get_customer returns it and sends use it', async () => {
  const bad = await t.call('add', { username: 'kostas', password: 'pw-123456', plan: 'FTTH 100', telegram_chat_id: '12ab' });
  expect(bad).toMatchObject({ ok: false, error: 'invalid_telegram_chat_id' });
  expect(await t.db('customers').where({ username: 'kostas' }).first()).toBeUndefined();

  const made = await t.call('add', { username: 'kostas', password: 'pw-123456', plan: 'FTTH 100', telegram_chat_id: '-100200300' });
  expect(made).toMatchObject({ ok: true, data: { username: 'kostas', telegram_chat_id: '-100200300' } });
  expect((await t.db('customers').where({ username: 'kostas' }).first()).telegram_chat_id).toBe('-100200300');
  expect((await t.call('get_customer', { username: 'kostas' }, { method: 'GET' })).data.telegram_chat_id).toBe('-100200300');

  // A new chat id forgets that the old chat had blocked the bot.
  await t.db('customers').where({ username: 'kostas' }).update({ telegram_blocked_at: '2026-01-01 00:00:00' });
  const edited = await t.call('edit', { username: 'kostas', telegram_chat_id: '@kostas_isp' });
  expect(edited).toMatchObject({ ok: true, data: { telegram_chat_id: '@kostas_isp' } });
  const row = await t.db('customers').where({ username: 'kostas' }).first();
  expect(row).toMatchObject({ telegram_chat_id: '@kostas_isp', telegram_blocked_at: null });

  expect(await t.call('edit', { username: 'kostas', telegram_chat_id: 'not a chat' })).toMatchObject({ ok: false, error: 'invalid_telegram_chat_id' });
  expect((await t.db('customers').where({ username: 'kostas' }).first()).telegram_chat_id).toBe('@kostas_isp');

  // The chat id given on add/edit is where send_notification delivers.
  await t.call('edit', { username: 'kostas', telegram_chat_id: '777001' });
  const sent = await t.call('send_notification', { username: 'kostas', channel: 'telegram', text: 'Γεια σας' });
  expect(sent.ok).toBe(true);
  expect((await t.ctx().jobs.wait(sent.data.job_id, 30_000)).state).toBe('completed');
  expect(tg.countFor('777001')).toBe(1);

  // "" clears it; an edit without the field leaves it alone.
  await t.call('edit', { username: 'kostas', fullname: 'Κώστας' });
  expect((await t.db('customers').where({ username: 'kostas' }).first()).telegram_chat_id).toBe('777001');
  expect((await t.call('edit', { username: 'kostas', telegram_chat_id: '' })).data.telegram_chat_id).toBeNull();
  expect((await t.db('customers').where({ username: 'kostas' }).first()).telegram_chat_id).toBeNull();
});

test('admins carry a telegram_chat_id on add_web_admin / edit_web_admin, returned by list_web_admins', async () => {
  expect(await t.call('add_web_admin', { username: 'nocops', password: 'noc-password-1', role: 'operator', telegram_chat_id: 'x' })).toMatchObject({ ok: false, error: 'invalid_telegram_chat_id' });
  expect(await t.db('admins').where({ username: 'nocops' }).first()).toBeUndefined();

  const a = await t.call('add_web_admin', { username: 'nocops', password: 'noc-password-1', role: 'operator', telegram_chat_id: '4242' });
  expect(a).toMatchObject({ ok: true, data: { username: 'nocops', telegram_chat_id: '4242' } });
  expect((await t.db('admins').where({ id: a.data.id }).first()).telegram_chat_id).toBe('4242');

  await t.db('admins').where({ id: a.data.id }).update({ telegram_blocked_at: '2026-01-01 00:00:00' });
  const e = await t.call('edit_web_admin', { id: a.data.id, telegram_chat_id: '4343' });
  expect(e).toMatchObject({ ok: true, data: { telegram_chat_id: '4343' } });
  expect(await t.db('admins').where({ id: a.data.id }).first()).toMatchObject({ telegram_chat_id: '4343', telegram_blocked_at: null });
  expect(await t.call('edit_web_admin', { id: a.data.id, telegram_chat_id: '@@' })).toMatchObject({ ok: false, error: 'invalid_telegram_chat_id' });

  const list = await t.call('list_web_admins', { search: 'nocops' }, { method: 'GET' });
  expect(list.data).toEqual([expect.objectContaining({ username: 'nocops', telegram_chat_id: '4343' })]);

  const sent = await t.call('send_notification', { admin: 'nocops', channel: 'telegram', text: 'Router down' });
  expect((await t.ctx().jobs.wait(sent.data.job_id, 30_000)).state).toBe('completed');
  expect(tg.countFor('4343')).toBe(1);

  expect((await t.call('edit_web_admin', { id: a.data.id, telegram_chat_id: '' })).data.telegram_chat_id).toBeNull();

  // An operator without notifications rights cannot read the channel settings.
  const key = (await t.call('api_key_create', { name: 'nocops', admin: 'nocops' })).data.key;
  await t.call('edit_web_admin', { id: a.data.id, permissions: { customers: 'read' } });
  expect(await t.call('get_notification_settings', {}, { key, method: 'GET' })).toMatchObject({ ok: false, error: 'forbidden' });
  const ok = await t.call('get_notification_settings', {}, { method: 'GET' });
  expect(ok.data).toMatchObject({ telegram_bot_token_set: true });
  expect(JSON.stringify(ok)).not.toContain(TOKEN.split(':')[1]);
});
