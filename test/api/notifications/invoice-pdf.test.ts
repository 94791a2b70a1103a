import { nowUtc } from '../../../src/db/knex';
import { closeMailPools } from '../../../src/adapters/mail/smtp';
import { makeTestApp, type TestApp } from '../../helpers/app';
import { SmtpReceiver } from '../../fakes/smtp-receiver';
import { selfSignedCert } from '../../fakes/tls-cert';
import { pdfText } from '../../fakes/pdf-text';

let t: TestApp;
let smtp: SmtpReceiver;
let invoice: any;


beforeAll(async () => {
  const cert = selfSignedCert();
  smtp = new SmtpReceiver({ cert: cert.cert, key: cert.key, user: 'mailer', pass: 'smtp-secret-pw' });
  await smtp.listen();
  t = await makeTestApp();
  const bs = await t.call('save_billing_settings', { company_name: 'Ελληνική Ίντερνετ Α.Ε.', company_afm: '094014201', company_doy: 'ΦΑΕ Αθηνών', company_address: 'Ερμού 10', company_city: 'Αθήνα', company_postal_code: '10563' });
  expect(bs.ok).toBe(true);
  await t.call('add_plan', { name: 'FTTH 100', download: '100M', upload: '10M', price: '25' });
  const c = await t.call('add', { username: 'maria', password: 'pw-123456', plan: 'FTTH 100', fullname: 'Μαρία Παπαδοπούλου', email: 'maria@example.gr', afm: '094014201', custom_fields: { doy: 'Δ ΟΥ Χαλανδρίου' } });
  invoice = (
    await t.call('create_invoice_manual', {
      customer_id: c.data.id,
      issue_date: '2026-11-01',
      due_date: '2026-11-15',
      lines: [
        { description: 'Σύνδεση FTTH 100 Νοέμβριος', quantity: 1, unit_price: '24.80', vat_rate: 24 },
        { description: 'Ενοικίαση εξοπλισμού', quantity: 2, unit_price: '5.65', vat_rate: 13 },
      ],
    })
  ).data;
  await t.call('save_notification_settings', { smtp_host: '127.0.0.1', smtp_port: String(smtp.port), smtp_secure: 'starttls', smtp_user: 'mailer', smtp_password: 'smtp-secret-pw', smtp_from: 'billing@isp.example', smtp_allow_self_signed: 1 });
});
afterAll(async () => {
  await t.close();
  closeMailPools();
  await smtp.close();
});

test('invoice_pdf renders a Greek invoice the text of which reads back', async () => {
  expect(invoice).toMatchObject({ id: expect.any(Number) });
  const r = await t.call('invoice_pdf', { id: invoice.id }, { method: 'GET' });
  expect(r.data).toMatchObject({ id: invoice.id, content_type: 'application/pdf', filename: expect.stringMatching(/^invoice-.+\.pdf$/) });
  const pdf = Buffer.from(r.data.pdf_base64, 'base64');
  expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
  const text = await pdfText(pdf);
  const inv = await t.db('invoices').where({ id: invoice.id }).first();
  expect(text).toContain('ΤΙΜΟΛΟΓΙΟ ΠΑΡΟΧΗΣ ΥΠΗΡΕΣΙΩΝ');
  expect(text).toContain(`Σειρά: ${inv.series}`);
  expect(text).toContain(`Αριθμός: ${inv.number}`);
  expect(text).toContain('Ελληνική Ίντερνετ Α.Ε.');
  expect(text).toContain('Μαρία Παπαδοπούλου');
  expect(text).toContain('ΔΟΥ: ΦΑΕ Αθηνών');
  expect(text).toContain('ΦΠΑ 24%');
  expect(text).toContain('ΦΠΑ 13%');
  const euros = (c: number) => `${Math.floor(c / 100)},${String(c % 100).padStart(2, '0')} €`;
  expect(text).toContain(`Πληρωτέο ποσό: ${euros(Number(inv.total_cents))}`);
  expect(text.replace(/\s+/g, '')).toContain(String(inv.rf_code).replace(/\s+/g, ''));
  expect(text).not.toContain('ΜΑΡΚ');

  // Once transmitted, the MARK, UID and the QR code appear (the e-invoice area writes this row).
  const now = nowUtc();
  await t.db('einvoice_submissions').insert({ invoice_id: invoice.id, kind: 'invoice', provider: 'mydata', status: 'submitted', mark: '400001234567890', uid: 'A1B2C3D4E5F60718293A4B5C6D7E8F9012345678', qr_url: 'https://mydataapidev.aade.gr/TimologioQR/QRInfo?q=abc', attempts: 1, created_at: now, updated_at: now });
  const text2 = await pdfText(Buffer.from((await t.call('invoice_pdf', { id: invoice.id })).data.pdf_base64, 'base64'));
  expect(text2).toContain('ΜΑΡΚ: 400001234567890');
  expect(text2).toContain('UID: A1B2C3D4E5F60718293A4B5C6D7E8F9012345678');
  const en = await pdfText(Buffer.from((await t.call('invoice_pdf', { id: invoice.id, language: 'en' })).data.pdf_base64, 'base64'));
  expect(en).toContain('MARK: 400001234567890');
});

test('invoice_pdf refuses bad input', async () => {
  expect((await t.call('invoice_pdf', { id: 999999 })).error).toBe('invoice_not_found');
  expect((await t.call('invoice_pdf', {})).error).toBe('missing_id');
  expect((await t.call('invoice_pdf', { id: invoice.id, language: 'fr' })).error).toBe('invalid_language');
});

test('the invoice_issued e-mail carries the invoice PDF', async () => {
  const r = await t.call('send_notification', { username: 'maria', channel: 'email', template: 'invoice_issued', invoice_id: invoice.id, variables: { invoice_number: 'Α-1', amount: '36,05 €' } });
  const job = await t.ctx().jobs.wait(r.data.job_id, 30_000);
  expect(job.state).toBe('completed');
  const mail = smtp.mails.at(-1)!;
  expect(mail.subject).toBe('Νέο τιμολόγιο Α-1');
  expect(mail.text).toContain('ποσού 36,05 €');
  expect(mail.html).toContain('ποσού 36,05 €');
  const att = mail.attachments.find((a) => a.contentType === 'application/pdf')!;
  expect(att.filename).toMatch(/^invoice-.+\.pdf$/);
  expect(await pdfText(att.content)).toContain('Μαρία Παπαδοπούλου');
});
