import { closeMailPools } from '../../../src/adapters/mail/smtp';
import { notificationEventsJob } from '../../../src/services/notifications/events';
import { deliverTask } from '../../../src/services/notifications/send';
import { makeTestApp, type TestApp } from '../../helpers/app';
import { FakeTelegram } from '../../fakes/telegram-server';
import { SmtpReceiver } from '../../fakes/smtp-receiver';
import { selfSignedCert } from '../../fakes/tls-cert';

const TOKEN = '123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11';
let t: TestApp;
let tg: FakeTelegram;
let smtp: SmtpReceiver;

beforeAll(async () => {
  tg = new FakeTelegram(TOKEN);
  await tg.listen();
  const cert = selfSignedCert();
  smtp = new SmtpReceiver({ cert: cert.cert, key: cert.key, user: 'mailer', pass: 'smtp-secret-pw' });
  await smtp.listen();
  t = await makeTestApp({ env: { NOTIFY_RETRY_BASE_MS: '50', NOTIFY_TELEGRAM_RATE: '1000' } });
  await t.call('add_plan', { name: 'FTTH 100', download: '100M', upload: '10M', price: '25' });
  await t.call('add_plan', { name: 'VDSL 50', download: '50M', upload: '5M', price: '20' });
  await t.call('add', { username: 'maria', password: 'pw-123456', plan: 'FTTH 100', fullname: 'Μαρία Κ.', email: 'maria@example.gr' });
  await t.call('add', { username: 'nikos', password: 'pw-123456', plan: 'VDSL 50', email: 'nikos@example.gr' });
  await t.call('add', { username: 'eleni', password: 'pw-123456', plan: 'VDSL 50' });
  await t.call('set_notification_contact', { username: 'maria', telegram_chat_id: '1001' });
  await t.call('set_notification_contact', { username: 'nikos', telegram_chat_id: '1002' });
});
afterAll(async () => {
  await t.close();
  closeMailPools();
  await tg.close();
  await smtp.close();
});

const wait = async (r: any) => {
  expect(r.ok).toBe(true);
  const job = await t.ctx().jobs.wait(r.data.job_id, 30_000);
  expect(job.state).toBe('completed');
  return job;
};
const deliveries = async (id: number) => t.db('notification_deliveries').where({ notification_id: id }).orderBy('id');

test('save_notification_settings seals the secrets and never returns them', async () => {
  const r = await t.call('save_notification_settings', {
    telegram_bot_token: TOKEN,
    telegram_base_url: tg.url,
    smtp_host: '127.0.0.1',
    smtp_port: String(smtp.port),
    smtp_secure: 'starttls',
    smtp_user: 'mailer',
    smtp_password: 'smtp-secret-pw',
    smtp_from: 'Fiber ISP <noc@isp.example>',
    smtp_allow_self_signed: '1',
  });
  expect(r.data).toMatchObject({ telegram_bot_token_set: true, smtp_password_set: true, telegram_base_url: tg.url, smtp_secure: 'starttls', channels: { telegram: true, email: true, push: false } });
  expect(JSON.stringify(r)).not.toContain('smtp-secret-pw');
  expect(JSON.stringify(r)).not.toContain('zyx57W2v1u123ew11');
  const rows = JSON.stringify(await t.db('settings').where('key', 'like', 'notifications.%'));
  expect(rows).not.toContain('smtp-secret-pw');
  expect(rows).not.toContain('zyx57W2v1u123ew11');
  expect((await t.call('get_notification_settings', {}, { method: 'GET' })).data.smtp_password_set).toBe(true);
  expect((await t.call('save_notification_settings', { telegram_bot_token: 'not-a-token' })).error).toBe('invalid_telegram_bot_token');
  expect((await t.call('save_notification_settings', { smtp_secure: 'ssl3' })).error).toBe('invalid_smtp_secure');
  expect((await t.call('save_notification_settings', { vapid_subject: 'http://x' })).error).toBe('invalid_vapid_subject');
  expect(t.logs.join('\n')).not.toContain('smtp-secret-pw');
});

test('test=1 sends a test message through the configured channel', async () => {
  const r = await t.call('save_notification_settings', { test: 1, test_to: '555' });
  expect(r.data.test).toMatchObject({ channel: 'telegram', sent: true });
  expect(tg.messages.at(-1)).toMatchObject({ chat_id: '555', parse_mode: 'HTML' });
  const m = await t.call('save_notification_settings', { test: 1, test_to: 'ops@isp.example' });
  expect(m.data.test).toMatchObject({ channel: 'email', sent: true });
  expect(smtp.mails.at(-1)!.subject).toBe('ispgate test message');
  expect((await t.call('save_notification_settings', { test: 1 })).error).toBe('missing_test_to');
});

test('set_notification_contact stores a chat id and preferred channels', async () => {
  const r = await t.call('set_notification_contact', { username: 'eleni', telegram_chat_id: '1003', channels: 'telegram' });
  expect(r.data).toMatchObject({ type: 'customer', username: 'eleni', telegram_chat_id: '1003', telegram_reachable: true, channels: ['telegram'] });
  expect((await t.db('customers').where({ username: 'eleni' }).first()).telegram_chat_id).toBe('1003');
  const a = await t.call('set_notification_contact', { admin: 'admin', telegram_chat_id: '42' });
  expect(a.data).toMatchObject({ type: 'admin', telegram_chat_id: '42' });
  expect((await t.call('set_notification_contact', { username: 'eleni', telegram_chat_id: 'abc' })).error).toBe('invalid_telegram_chat_id');
  expect((await t.call('set_notification_contact', { telegram_chat_id: '1' })).error).toBe('missing_username');
  expect((await t.call('set_notification_contact', { username: 'ghost', telegram_chat_id: '1' })).error).toBe('customer_not_found');
});

test('send_notification over Telegram: HTML escaped, queued then delivered by a job', async () => {
  const before = tg.messages.length;
  const r = await t.call('send_notification', { username: 'maria', channel: 'telegram', subject: 'Βλάβη <Ερμού>', text: 'Fiber cut & repair at 5 > 4' });
  expect(r.data).toMatchObject({ id: expect.any(Number), recipients: 1, queued: [{ recipient: { type: 'customer', name: 'Μαρία Κ.' }, channel: 'telegram', state: 'queued' }] });
  await wait(r);
  expect(tg.messages.slice(before)).toEqual([{ chat_id: '1001', parse_mode: 'HTML', text: '<b>Βλάβη &lt;Ερμού&gt;</b>\n\nFiber cut &amp; repair at 5 &gt; 4' }]);
  const [d] = await deliveries(r.data.id);
  expect(d).toMatchObject({ state: 'sent', attempts: 1, channel: 'telegram', address: '1001' });
  expect(d.last_response).toMatch(/^200 message_id=\d+/);
  expect((await t.db('notifications').where({ id: r.data.id }).first()).status).toBe('completed');
});

test('a 429 is retried after retry_after; a blocked bot marks the recipient unreachable', async () => {
  tg.throttleFirst.set('1001', 1);
  tg.blocked.add('1002');
  const r = await t.call('send_notification', { usernames: ['maria', 'nikos'], channel: 'telegram', text: 'Maintenance tonight' });
  await wait(r);
  const ds = await deliveries(r.data.id);
  expect(ds.map((d) => [d.recipient_name, d.state, d.attempts])).toEqual([['Μαρία Κ.', 'sent', 2], ['nikos', 'failed', 1]]);
  expect(ds[1].last_response).toContain('bot was blocked');
  expect((await t.db('customers').where({ username: 'nikos' }).first()).telegram_blocked_at).not.toBeNull();
  expect((await t.db('notifications').where({ id: r.data.id }).first()).status).toBe('partial');
  // The next send skips nikos's Telegram instead of trying again.
  const again = await t.call('send_notification', { username: 'nikos', channel: 'telegram', text: 'x' });
  expect(again.data.queued[0]).toMatchObject({ state: 'skipped', last_response: 'telegram unreachable (the bot was blocked)' });
  await wait(again);
  expect(tg.requests).toBeGreaterThan(0);
  tg.blocked.delete('1002');
});

test('a retry due later than a few seconds is left to the scheduled tick, which resumes it', async () => {
  tg.retryAfter = 4;
  tg.throttleFirst.set('1001', 1);
  const r = await t.call('send_notification', { username: 'maria', channel: 'telegram', text: 'Later' });
  const job = await wait(r);
  expect(job.result).toMatchObject({ status: 'sending', waiting_until: expect.any(String) });
  expect((await deliveries(r.data.id))[0]).toMatchObject({ state: 'queued', attempts: 1 });
  expect(((await notificationEventsJob.run(t.ctx())) as any).resumed).toBe(0); // not due yet
  await new Promise((res) => setTimeout(res, 4200));
  expect(((await notificationEventsJob.run(t.ctx())) as any).resumed).toBe(1);
  const next = await t.db('jobs').where({ task: 'notifications.deliver', data: JSON.stringify({ notification_id: r.data.id }) }).whereNot({ id: r.data.job_id }).first();
  expect((await t.ctx().jobs.wait(next.id, 30_000)).state).toBe('completed');
  expect((await deliveries(r.data.id))[0]).toMatchObject({ state: 'sent', attempts: 2 });
  expect((await t.db('notifications').where({ id: r.data.id }).first()).status).toBe('completed');
  tg.retryAfter = 1;
});

test('send_notification by e-mail over STARTTLS: subject, text and HTML parts, company name, List-Unsubscribe on bulk', async () => {
  await t.call('save_settings', { company_name: 'Fiber ISP Α.Ε.' });
  const r = await t.call('send_notification', { segment: 'plan', value: 'VDSL 50', channel: 'email', subject: 'Αλλαγή τιμής {{name}}', text: 'Από 1/1 η τιμή αλλάζει.\n\nΕυχαριστούμε, {{company_name}}' });
  expect(r.data.recipients).toBe(2);
  await wait(r);
  const ds = await deliveries(r.data.id);
  expect(ds.map((d) => [d.recipient_name, d.state])).toEqual([['nikos', 'sent'], ['eleni', 'skipped']]);
  const mail = smtp.mails.find((m) => m.envelopeTo.includes('nikos@example.gr'))!;
  expect(mail.subject).toBe('Αλλαγή τιμής nikos');
  expect(mail.text).toContain('Ευχαριστούμε, Fiber ISP Α.Ε.');
  expect(mail.html).toContain('<h2 style="font-size:18px">Fiber ISP Α.Ε.</h2>');
  expect(mail.html).toContain('Από 1/1 η τιμή αλλάζει.');
  expect(mail.raw).toMatch(/^List-Unsubscribe: <mailto:noc@isp\.example\?subject=unsubscribe>\r?$/m);
  expect(mail.from?.value).toEqual([{ name: 'Fiber ISP', address: 'noc@isp.example' }]);
});

test('a template in English with variables; templates list and save', async () => {
  const list = await t.call('list_notification_templates', { language: 'en' });
  expect(list.data.map((x: any) => x.name).sort()).toEqual(['invoice_issued', 'overdue_reminder', 'payment_failed', 'payment_received', 'payment_reminder', 'reactivation', 'suspension', 'suspension_warning', 'ticket_reply']);
  expect((await t.call('list_notification_templates')).data).toHaveLength(18);
  const saved = await t.call('save_notification_template', { name: 'payment_received', language: 'en', subject: 'Thanks, {{name}}', enabled: 1 });
  expect(saved.data).toMatchObject({ name: 'payment_received', language: 'en', subject: 'Thanks, {{name}}', enabled: true, customised: true, event: 'invoice.paid' });
  expect(saved.data.body).toContain('we received your payment');
  expect((await t.db('notification_templates').where({ name: 'payment_received', language: 'en' }).first()).enabled).toBeTruthy();
  const r = await t.call('send_notification', { username: 'maria', channel: 'email', template: 'payment_received', language: 'en', variables: { amount: '25.00 €', invoice_number: 'A-17' } });
  await wait(r);
  const mail = smtp.mails.find((m) => m.subject === 'Thanks, Μαρία Κ.')!;
  expect(mail.text).toContain('we received your payment of 25.00 € for invoice A-17');
  expect(mail.raw).not.toMatch(/^List-Unsubscribe:/m);
  expect((await t.call('save_notification_template', { name: 'Bad Name', body: 'x', subject: 'y' })).error).toBe('invalid_name');
  expect((await t.call('save_notification_template', { name: 'brand_new', language: 'el' })).error).toBe('missing_subject');
  expect((await t.call('list_notification_templates', { language: 'de' })).error).toBe('invalid_language');
});

test('channel=all uses each recipient’s preferred channels', async () => {
  await t.call('set_notification_contact', { username: 'maria', channels: 'email' });
  const r = await t.call('send_notification', { segment: 'all', channel: 'all', text: 'Hello all' });
  await wait(r);
  const ds = await deliveries(r.data.id);
  const by = Object.fromEntries(ds.map((d) => [`${d.recipient_name}/${d.channel}`, d.state]));
  // nikos blocked the bot earlier: his Telegram is left out, his e-mail still goes.
  expect(by).toEqual({ 'Μαρία Κ./email': 'sent', 'nikos/email': 'sent', 'eleni/telegram': 'sent' });
});

test('send_notification refuses bad input', async () => {
  expect((await t.call('send_notification', { text: 'x' })).error).toBe('missing_recipient');
  expect((await t.call('send_notification', { username: 'maria', segment: 'all', text: 'x' })).error).toBe('invalid_recipient');
  expect((await t.call('send_notification', { username: 'maria' })).error).toBe('missing_text');
  expect((await t.call('send_notification', { username: 'maria', template: 'nope', channel: 'email' })).error).toBe('template_not_found');
  expect((await t.call('send_notification', { username: 'maria', channel: 'push', text: 'x' })).error).toBe('push_not_configured');
  expect((await t.call('send_notification', { username: 'maria', channel: 'fax', text: 'x' })).error).toBe('invalid_channel');
  expect((await t.call('send_notification', { segment: 'plan', text: 'x' })).error).toBe('missing_value');
  expect((await t.call('send_notification', { usernames: ['maria', 'ghost'], text: 'x' })).error).toBe('customer_not_found');
  expect(await t.db('notifications').where({ body: 'x' }).count({ n: '*' }).then((r) => Number(r[0].n))).toBe(1); // only the blocked-bot one above
});

test('list_notifications shows per-recipient state, attempts and the provider’s answer', async () => {
  const all = await t.call('list_notifications', {}, { method: 'GET' });
  expect(all.meta.total).toBe(await t.db('notifications').count({ n: '*' }).then((r) => Number(r[0].n)));
  const one = all.data.find((n: any) => n.counts.failed === 1);
  expect(one.deliveries.find((d: any) => d.state === 'failed')).toMatchObject({ attempts: 1, last_response: expect.stringContaining('bot was blocked') });
  const partial = await t.call('list_notifications', { status: 'partial' });
  expect(partial.data.every((n: any) => n.status === 'partial')).toBe(true);
  expect((await t.call('list_notifications', { status: 'done' })).error).toBe('invalid_status');
});

test('push_subscribe needs Web Push configured', async () => {
  const r = await t.call('push_subscribe', { endpoint: 'https://push.example/abc', keys: { p256dh: 'B'.repeat(87), auth: 'A'.repeat(22) } });
  expect(r.error).toBe('push_not_configured');
  expect((await t.call('push_subscribe', { endpoint: 'http://push.example/abc', keys: { p256dh: 'B'.repeat(87), auth: 'A'.repeat(22) } })).error).toBe('invalid_endpoint');
});

test('a delivery job handed out after the notification finished leaves it completed and sends nothing', async () => {
  const r = await t.call('send_notification', { username: 'maria', channel: 'telegram', text: 'Once only' });
  await wait(r);
  const before = tg.messages.length;
  const seen: string[] = [];
  await deliverTask.run(t.ctx(), { notification_id: r.data.id }, async () => {
    seen.push((await t.db('notifications').where({ id: r.data.id }).first()).status);
  });
  expect(seen).toEqual(['completed']);
  expect(tg.messages.length).toBe(before);
  expect((await t.db('notifications').where({ id: r.data.id }).first()).status).toBe('completed');
});
