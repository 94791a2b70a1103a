import { makeTestApp, type TestApp } from '../../helpers/app';
import { FakeTelegram } from '../../fakes/telegram-server';
import { notificationEventsJob } from '../../../src/services/notifications/events';

const TOKEN = '123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11';
let t: TestApp;
let tg: FakeTelegram;

beforeAll(async () => {
  tg = new FakeTelegram(TOKEN);
  await tg.listen();
  t = await makeTestApp();
  await t.call('add_plan', { name: 'FTTH 100', download: '100M', upload: '10M', price: '25' });
  await t.call('add', { username: 'maria', password: 'pw-123456', plan: 'FTTH 100', fullname: 'Μαρία' });
  await t.call('set_notification_contact', { username: 'maria', telegram_chat_id: '1001' });
  await t.call('save_notification_settings', { telegram_bot_token: TOKEN, telegram_base_url: tg.url });
});
afterAll(async () => {
  await t.close();
  await tg.close();
});

async function runEvents() {
  const r = (await notificationEventsJob.run(t.ctx())) as { queued: number };
  const jobs = await t.db('jobs').where({ task: 'notifications.deliver' }).whereIn('state', ['queued', 'running']);
  for (const j of jobs) await t.ctx().jobs.wait(j.id, 30_000);
  return r;
}

test('enabled templates go out on their events; disabled ones and internal notes do not', async () => {
  const ticket = (await t.call('ticket_create', { username: 'maria', subject: 'Αργή σύνδεση', body: 'Έχω 2 Mbps' })).data.id;
  expect(await runEvents()).toEqual({ processed: 0, queued: 0, resumed: 0 }); // the first run only places the cursor
  await t.call('ticket_reply', { id: ticket, body: 'Ελέγχουμε τη γραμμή σας.' });
  expect((await runEvents()).queued).toBe(0); // ticket_reply is not enabled yet
  expect(tg.messages).toHaveLength(0);

  await t.call('save_notification_template', { name: 'ticket_reply', language: 'el', enabled: 1 });
  await t.call('save_notification_template', { name: 'suspension', language: 'el', enabled: 1 });
  await t.call('ticket_reply', { id: ticket, body: 'Σημείωση για την ομάδα', internal: 1 });
  await t.call('ticket_reply', { id: ticket, body: 'Η βλάβη αποκαταστάθηκε.' });
  await t.call('toggle_status', { username: 'maria', status: 'suspended', reason: 'Απλήρωτο τιμολόγιο' });
  expect((await runEvents()).queued).toBe(2);
  expect(tg.messages.map((m) => m.text)).toEqual([
    `<b>Απάντηση στο αίτημα #${ticket}: Αργή σύνδεση</b>\n\nΑγαπητέ/ή Μαρία,\n\nΗ βλάβη αποκαταστάθηκε.\n\nispgate`,
    '<b>Αναστολή υπηρεσίας</b>\n\nΑγαπητέ/ή Μαρία,\n\nη σύνδεσή σας (maria) τέθηκε σε αναστολή. Αιτία: Απλήρωτο τιμολόγιο\n\nispgate',
  ]);
  expect((await runEvents()).queued).toBe(0); // nothing is sent twice
  expect(tg.messages).toHaveLength(2);
});
