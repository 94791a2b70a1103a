import { closeMailPools } from '../../../src/adapters/mail/smtp';
import { addDays } from '../../../src/domain/invoice-math';
import { localToday } from '../../../src/services/billing/invoices';
import { claimStage, invoiceRemindersJob, reminderPass, stagesOn } from '../../../src/services/notifications/reminders';
import { sendNotification } from '../../../src/services/notifications/send';
import { makeTestApp, type TestApp } from '../../helpers/app';
import { FakeTelegram } from '../../fakes/telegram-server';
import { SmtpReceiver } from '../../fakes/smtp-receiver';
import { selfSignedCert } from '../../fakes/tls-cert';

const TOKEN = '123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11';
const GRACE = 5;
let t: TestApp;
let tg: FakeTelegram;
let smtp: SmtpReceiver;
let on: string;
const ids: Record<string, number> = {};
const invoices: Record<string, { id: number; number: string }> = {};

async function invoice(key: string, username: string, due: string) {
  const r = await t.call('create_invoice_manual', {
    customer_id: ids[username],
    issue_date: addDays(on, -70),
    due_date: due,
    lines: [{ description: 'FTTH 100', quantity: 1, unit_price: '24.80', vat_rate: 24 }],
  });
  if (!r.ok) throw new Error(JSON.stringify(r));
  const row = await t.db('invoices').where({ id: r.data.id }).first();
  invoices[key] = { id: r.data.id, number: `${row.series}-${row.number}` };
}

/** Waits for every reminder run, then every delivery job they queued. */
async function settle() {
  for (const task of ['notifications.reminders', 'notifications.deliver']) {
    for (;;) {
      const open = await t.db('jobs').where({ task }).whereIn('state', ['queued', 'running']);
      if (!open.length) break;
      for (const j of open) await t.ctx().jobs.wait(j.id, 30_000);
    }
  }
}

beforeAll(async () => {
  tg = new FakeTelegram(TOKEN);
  await tg.listen();
  const cert = selfSignedCert();
  smtp = new SmtpReceiver({ cert: cert.cert, key: cert.key, user: 'mailer', pass: 'smtp-secret-pw' });
  await smtp.listen();
  t = await makeTestApp({ env: { NOTIFY_TELEGRAM_RATE: '1000' } });
  on = await localToday(t.db);
  expect((await t.call('save_billing_settings', { company_name: 'Fiber ISP', company_afm: '094014201', company_doy: 'ΦΑΕ Αθηνών', grace_days: String(GRACE) })).ok).toBe(true);
  await t.call('add_plan', { name: 'FTTH 100', download: '100M', upload: '10M', price: '25' });
  for (const [u, extra] of [
    ['maria', { fullname: 'Μαρία', telegram_chat_id: '1001' }],
    ['nikos', { email: 'nikos@example.gr' }],
    ['eleni', { fullname: 'Ελένη', telegram_chat_id: '1003' }],
    ['petros', { telegram_chat_id: '1004' }],
  ] as const) {
    const c = await t.call('add', { username: u, password: 'pw-123456', plan: 'FTTH 100', ...extra });
    expect(c.ok).toBe(true);
    ids[u] = c.data.id;
  }
  await t.call('save_notification_settings', {
    telegram_bot_token: TOKEN,
    telegram_base_url: tg.url,
    smtp_host: '127.0.0.1',
    smtp_port: String(smtp.port),
    smtp_secure: 'starttls',
    smtp_user: 'mailer',
    smtp_password: 'smtp-secret-pw',
    smtp_from: 'billing@isp.example',
    smtp_allow_self_signed: 1,
  });
  await invoice('overdue', 'maria', addDays(on, -1)); // overdue:1
  await invoice('soon', 'nikos', addDays(on, 3)); // due_in:3
  await invoice('suspend', 'eleni', addDays(on, 2 - GRACE - 1)); // suspended on due + grace + 1 = on + 2
  await invoice('old', 'petros', addDays(on, -60)); // long overdue: no stage today
  await invoice('later', 'petros', addDays(on, 20)); // not yet
});
afterAll(async () => {
  await t.close();
  closeMailPools();
  await tg.close();
  await smtp.close();
});

test('stages: before due, overdue and before suspension land on the right due dates', () => {
  const s = stagesOn('2026-12-10', { beforeDue: [3], overdue: [1], suspensionWarning: [2] }, 5);
  expect(s.map((x) => [x.stage, x.from, x.to])).toEqual([
    ['due_in:3', '2026-12-11', '2026-12-13'],
    ['overdue:1', '2026-12-07', '2026-12-09'],
    ['suspension_in:2', '2026-12-04', '2026-12-06'],
  ]);
  // Dunning suspends an invoice due 12-06 on 12-12 (due + grace + 1): two days after the warning.
  expect(s[2].suspensionDate!('2026-12-06')).toBe('2026-12-12');
  // A warning asked for more days ahead than the grace period leaves goes out on the first overdue day.
  expect(stagesOn('2026-12-10', { beforeDue: [], overdue: [], suspensionWarning: [9] }, 5).map((x) => [x.from, x.to])).toEqual([['2026-12-07', '2026-12-09']]);
});

test('reminder settings are validated and off by default: a tick sends nothing', async () => {
  const s = (await t.call('get_notification_settings', {}, { method: 'GET' })).data;
  expect(s).toMatchObject({ invoice_reminders: false, reminder_days_before_due: [3], overdue_reminder_days: [1], suspension_warning_days: [2] });
  expect(await invoiceRemindersJob.run(t.ctx())).toEqual({ enabled: false });
  expect((await t.call('save_notification_settings', { overdue_reminder_days: '0' })).error).toBe('invalid_overdue_reminder_days');
  expect((await t.call('save_notification_settings', { reminder_days_before_due: '3,x' })).error).toBe('invalid_reminder_days_before_due');
  expect((await t.call('save_notification_settings', { suspension_warning_days: '61' })).error).toBe('invalid_suspension_warning_days');
  expect((await t.call('get_notification_settings', {}, { method: 'GET' })).data.invoice_reminders).toBe(false);
  await settle();
  expect(tg.messages).toHaveLength(0);
  expect(smtp.mails).toHaveLength(0);
});

test('a reminder goes out once per invoice and stage, however often the scheduler ticks', async () => {
  const saved = await t.call('save_notification_settings', { invoice_reminders: 1, reminder_days_before_due: '3', overdue_reminder_days: '1,7', suspension_warning_days: '2' });
  expect(saved.data).toMatchObject({ invoice_reminders: true, reminder_days_before_due: [3], overdue_reminder_days: [7, 1], suspension_warning_days: [2] });

  // Two ticks at once (two instances), then another one later.
  const ticks = (await Promise.all([invoiceRemindersJob.run(t.ctx()), invoiceRemindersJob.run(t.ctx())])) as Array<{ job_id: string }>;
  expect(ticks[0]).toMatchObject({ enabled: true, on });
  await settle();
  await invoiceRemindersJob.run(t.ctx());
  await settle();

  expect(tg.messages.map((m) => [m.chat_id, m.text.split('\n')[0]])).toEqual(
    expect.arrayContaining([
      ['1001', `<b>Υπενθύμιση: ληξιπρόθεσμο τιμολόγιο ${invoices.overdue.number}</b>`],
      ['1003', `<b>Προειδοποίηση αναστολής: τιμολόγιο ${invoices.suspend.number}</b>`],
    ]),
  );
  expect(tg.messages).toHaveLength(2);
  expect(tg.messages.find((m) => m.chat_id === '1003')!.text).toContain(`θα ανασταλεί στις ${addDays(on, 2)}`);
  expect(tg.messages.find((m) => m.chat_id === '1001')!.text).toContain('24,80'); // what is still owed
  expect(tg.countFor('1004')).toBe(0);
  expect(smtp.mails.map((m) => [m.envelopeTo[0], m.subject])).toEqual([['nikos@example.gr', `Υπενθύμιση πληρωμής: τιμολόγιο ${invoices.soon.number}`]]);

  const rows = await t.db('invoice_reminders').orderBy('invoice_id');
  expect(rows.map((r) => [r.invoice_id, r.stage])).toEqual([
    [invoices.overdue.id, 'overdue:1'],
    [invoices.soon.id, 'due_in:3'],
    [invoices.suspend.id, 'suspension_in:2'],
  ]);
  // Each row points at the notification that carried it, delivered through the ordinary deliveries.
  for (const r of rows) {
    const n = await t.db('notifications').where({ id: r.notification_id }).first();
    expect(n).toMatchObject({ status: 'completed' });
  }
  expect(await t.db('notifications').count({ n: '*' }).first()).toMatchObject({ n: 3 });
});

test('two runs racing over the same new stage send it once; English installations get English text', async () => {
  await t.call('save_settings', { language: 'en' });
  await invoice('race', 'nikos', addDays(on, -1));
  const before = smtp.mails.length;
  const [a, b] = await Promise.all([reminderPass(t.ctx(), on), reminderPass(t.ctx(), on)]);
  expect(a.queued + b.queued).toBe(1);
  expect(a.failed + b.failed).toBe(0);
  await settle();
  const mails = smtp.mails.slice(before);
  expect(mails.map((m) => m.subject)).toEqual([`Reminder: invoice ${invoices.race.number} is overdue`]);
  expect(mails[0].text).toContain('Dear nikos');
  // The overdue reminder's template attaches the invoice.
  expect(mails[0].attachments.map((x) => x.contentType)).toContain('application/pdf');
  expect(await t.db('invoice_reminders').where({ invoice_id: invoices.race.id })).toHaveLength(1);
  expect(await t.db('notifications').count({ n: '*' }).first()).toMatchObject({ n: 4 });

  // Whichever run loses the race finds the stage taken inside its own transaction, and its notification is gone.
  const late = sendNotification(
    t.ctx(),
    { target: { kind: 'customer', username: 'nikos' }, channel: 'all', template: 'overdue_reminder', variables: {} },
    { within: (trx, nid) => claimStage(trx, invoices.race.id, 'overdue:1', nid) },
  );
  await expect(late).rejects.toMatchObject({ code: 'reminder_already_sent' });
  expect(await t.db('notifications').count({ n: '*' }).first()).toMatchObject({ n: 4 });
  expect(await t.db('notification_deliveries').whereNotIn('notification_id', t.db('notifications').select('id'))).toHaveLength(0);

  // A paid invoice is not reminded about: nikos's invoice due in 3 days would be in a 5-days-before stage.
  expect((await t.call('pay_invoice', { invoice_id: invoices.soon.id, amount: '24.80', method: 'cash' })).ok).toBe(true);
  await t.call('save_notification_settings', { reminder_days_before_due: '5' });
  expect(await reminderPass(t.ctx(), on)).toMatchObject({ queued: 0, failed: 0 });
  await t.db('invoices').where({ id: invoices.soon.id }).update({ paid_cents: 0, status: 'unpaid' });
  expect(await reminderPass(t.ctx(), on)).toMatchObject({ queued: 1 }); // the same stage, once unpaid again
  await settle();
  await t.call('save_notification_settings', { invoice_reminders: 0 });
  expect((await reminderPass(t.ctx(), on)).enabled).toBe(false);
});

test('segment=overdue reaches the subscribers owing on an invoice past its due date (installation calendar)', async () => {
  const r = await t.call('send_notification', { segment: 'overdue', channel: 'telegram', text: 'Please settle your balance' });
  expect(r.ok).toBe(true);
  // maria, eleni and petros (and nikos, whose Telegram is not set) owe on an invoice due before today; nobody else.
  expect(r.data.recipients).toBe(4);
  // The answer is the state as written, whether or not the delivery job has started yet.
  expect(r.data.deliveries).toEqual({ queued: 3, sending: 0, sent: 0, failed: 0, skipped: 1, unknown: 0 });
  await settle();
  const ds = await t.db('notification_deliveries').where({ notification_id: r.data.id }).orderBy('recipient_id');
  expect(ds.map((d) => [d.recipient_id, d.state])).toEqual([
    [ids.maria, 'sent'],
    [ids.nikos, 'skipped'],
    [ids.eleni, 'sent'],
    [ids.petros, 'sent'],
  ]);
  expect(tg.messages.filter((m) => m.text.includes('Please settle your balance')).map((m) => m.chat_id).sort()).toEqual(['1001', '1003', '1004']);
});
