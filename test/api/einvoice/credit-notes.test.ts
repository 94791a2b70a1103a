/**
 * Credit notes are documents of their own: a series per kind (5.1 business, 11.4 retail), a gap-free number
 * taken once from it, and the day they were created as issue date.
 */
import { makeTestApp, type TestApp } from '../../helpers/app';
import { FakeMyDataServer } from '../../fakes/mydata-server';
import { xmllintVerdict } from '../../fakes/xmllint-cli';
import { noteSkip } from '../../helpers/skip';
import { assertValidInvoicesDoc, invoicesDocXsdPath } from '../../../src/adapters/aade/xsd-validator';
import { today } from '../../../src/services/billing/invoices';
import { seedInvoice } from './seed';

const ISSUER = '094014201';
const BUSINESS = '090165560';

let t: TestApp;
let mydata: FakeMyDataServer;

beforeAll(async () => {
  mydata = await new FakeMyDataServer({ accountAfm: ISSUER }).start();
  t = await makeTestApp({ env: { MYDATA_BASE_URL: mydata.baseUrl } });
  const saved = await t.call('save_einvoice_settings', { issuer_afm: ISSUER, mydata_user_id: mydata.userId, mydata_subscription_key: mydata.subscriptionKey });
  expect(saved).toMatchObject({ ok: true, data: { credit_note_series_business: 'CN', credit_note_series_retail: 'CNR' } });
});
afterAll(async () => {
  await t?.close();
  await mydata.stop();
});

/** An invoice transmitted to myDATA and then cancelled in billing: what a credit note corrects. */
async function cancelledTransmitted(o: { afm?: string } = {}): Promise<{ id: number; mark: string }> {
  const id = await seedInvoice(t.db, o);
  const sub = await t.call('einvoice_submit', { invoice_id: id });
  expect(sub).toMatchObject({ ok: true, data: { submission: { status: 'submitted' } } });
  await t.db('invoices').where({ id }).update({ status: 'cancelled' });
  return { id, mark: sub.data.submission.mark };
}

async function nextNumber(series: string): Promise<number | undefined> {
  const row = await t.db('invoice_series').where({ code: series }).first('next_number');
  return row ? Number(row.next_number) : undefined;
}

const lastSent = () => mydata.requests.filter((r) => r.path === '/SendInvoices').at(-1)!.body;

describe('credit notes', () => {
  it('a 5.1 takes its own series, number and issue date, validates against both XSD versions and shows in einvoice_status', async () => {
    const { id, mark } = await cancelledTransmitted({ afm: BUSINESS });
    const before = (await nextNumber('CN')) ?? 1;
    const r = await t.call('einvoice_submit', { invoice_id: id });
    expect(r).toMatchObject({ ok: true, data: { submission: { kind: 'credit_note', document_type: '5.1', status: 'submitted', series: 'CN', number: before, issue_date: today() } } });
    expect(await nextNumber('CN')).toBe(before + 1);

    const stored = mydata.invoices.at(-1)!;
    expect(stored).toMatchObject({ invoiceType: '5.1', series: 'CN', aa: String(before), issueDate: today(), mark: r.data.submission.mark });
    const xml = lastSent();
    expect(xml).toContain(`<correlatedInvoices>${mark}</correlatedInvoices>`);
    expect(xml).not.toContain('<series>A</series>');
    expect(xml).not.toContain('<issueDate>2026-01-15</issueDate>');
    for (const v of ['2.0.1', '1.0.12'] as const) {
      await expect(assertValidInvoicesDoc(xml, v)).resolves.not.toThrow();
      expect(await xmllintOrSkip(xml, v)).toBe(true);
    }

    const st = await t.call('einvoice_status', { invoice_id: id });
    expect(st).toMatchObject({ ok: true, data: {
      status: 'submitted', mark,
      credit_note: { status: 'submitted', document_type: '5.1', series: 'CN', number: before, issue_date: today(), mark: stored.mark },
    } });
    const invoice = await t.db('invoices').where({ id }).first('series', 'number');
    expect(st.data.submissions.find((s: any) => s.kind === 'invoice')).toMatchObject({ series: invoice.series, number: Number(invoice.number), issue_date: '2026-01-15' });
    // The invoice keeps its own MARK; the credit note does not overwrite it.
    expect((await t.db('invoices').where({ id }).first()).einvoice_mark).toBe(mark);
  });

  it('11.4 retail credit notes number in their own series, consecutively', async () => {
    const a = await cancelledTransmitted();
    const b = await cancelledTransmitted();
    const first = (await nextNumber('CNR')) ?? 1;
    const ra = await t.call('einvoice_submit', { invoice_id: a.id });
    const rb = await t.call('einvoice_submit', { invoice_id: b.id });
    expect(ra.data.submission).toMatchObject({ document_type: '11.4', series: 'CNR', number: first, status: 'submitted' });
    expect(rb.data.submission).toMatchObject({ document_type: '11.4', series: 'CNR', number: first + 1, status: 'submitted' });
    expect(mydata.invoices.at(-1)).toMatchObject({ invoiceType: '11.4', series: 'CNR', aa: String(first + 1), issueDate: today() });
    expect((await xmllintOrSkip(lastSent(), '1.0.12'))).toBe(true);
  });

  it('a retry after a failure or a lost reply, a repeat and a concurrent submit never take a second number', async () => {
    const { id } = await cancelledTransmitted({ afm: BUSINESS });
    const before = (await nextNumber('CN')) ?? 1;

    mydata.failNextWithTechnicalError();
    expect(await t.call('einvoice_submit', { invoice_id: id })).toMatchObject({ ok: false, error: 'mydata_technical_error' });
    expect(await t.db('einvoice_submissions').where({ invoice_id: id, kind: 'credit_note' }).first('status', 'series', 'number')).toEqual({ status: 'failed', series: 'CN', number: before });

    mydata.dropNextReply();
    expect(await t.call('einvoice_submit', { invoice_id: id })).toMatchObject({ ok: false, error: 'mydata_unreachable' });
    const sends = mydata.sendCount();
    const booked = mydata.invoices.at(-1)!;
    expect(booked).toMatchObject({ series: 'CN', aa: String(before) });

    // Two callers at once: one holds the lease and recovers the MARK from myDATA, the other is told to wait.
    const [x, y] = await Promise.all([t.call('einvoice_submit', { invoice_id: id }), t.call('einvoice_submit', { invoice_id: id })]);
    expect([x, y].filter((r) => r.ok && r.data.recovered)).toEqual([
      expect.objectContaining({ data: expect.objectContaining({ submission: expect.objectContaining({ mark: booked.mark, series: 'CN', number: before }) }) }),
    ]);
    for (const r of [x, y].filter((r) => !r.data?.recovered)) {
      expect(r.ok ? r.data : r.error).toEqual(r.ok ? expect.objectContaining({ already_submitted: true }) : 'einvoice_submission_in_progress');
    }
    expect(mydata.sendCount()).toBe(sends);

    expect(await t.call('einvoice_submit', { invoice_id: id })).toMatchObject({ ok: true, data: { already_submitted: true, submission: { number: before } } });
    expect(await nextNumber('CN')).toBe(before + 1);
  });

  it('a credit note that cannot be built, or is asked of Elorus, spends no number', async () => {
    const { id } = await cancelledTransmitted({ afm: BUSINESS });
    const before = (await nextNumber('CN')) ?? 1;
    expect(await t.call('einvoice_submit', { invoice_id: id, provider: 'elorus' })).toMatchObject({ ok: false, error: 'einvoice_type_not_supported_by_provider' });
    const line = await t.db('invoice_lines').where({ invoice_id: id }).first();
    await t.db('invoice_lines').where({ id: line.id }).update({ vat_rate: 5 });
    expect(await t.call('einvoice_submit', { invoice_id: id })).toMatchObject({ ok: false, error: 'unsupported_vat_rate' });
    expect(await t.db('einvoice_submissions').where({ invoice_id: id, kind: 'credit_note' }).first('number')).toEqual({ number: null });
    expect((await nextNumber('CN')) ?? 1).toBe(before);
    await t.db('invoice_lines').where({ id: line.id }).update({ vat_rate: line.vat_rate });
    expect(await t.call('einvoice_submit', { invoice_id: id })).toMatchObject({ ok: true, data: { submission: { series: 'CN', number: before } } });
  });

  it('the series are settings of their own, refused when they would share numbers with invoices or with each other', async () => {
    expect(await t.call('save_einvoice_settings', { credit_note_series_business: 'pcn' })).toMatchObject({ ok: true, data: { credit_note_series_business: 'PCN', credit_note_series_retail: 'CNR' } });
    expect(await t.call('save_einvoice_settings', { credit_note_series_retail: 'PCN' })).toMatchObject({ ok: false, error: 'invalid_credit_note_series' });
    expect(await t.call('save_einvoice_settings', { credit_note_series_retail: 'A' })).toMatchObject({ ok: false, error: 'invalid_credit_note_series_retail' });
    expect(await t.call('save_einvoice_settings', { credit_note_series_business: 'C-N' })).toMatchObject({ ok: false, error: 'invalid_credit_note_series_business' });
    expect(await t.call('save_einvoice_settings', { credit_note_series_business: 'ABCDEFGHIJK' })).toMatchObject({ ok: false, error: 'invalid_credit_note_series_business' });
    expect(await t.call('get_einvoice_settings', {})).toMatchObject({ ok: true, data: { credit_note_series_business: 'PCN', credit_note_series_retail: 'CNR' } });

    const { id } = await cancelledTransmitted({ afm: BUSINESS });
    const r = await t.call('einvoice_submit', { invoice_id: id });
    expect(r.data.submission).toMatchObject({ series: 'PCN', number: 1 });

    // An invoice numbered in the credit-note series later on: the next credit note refuses to interleave with it.
    const stray = await seedInvoice(t.db, { afm: BUSINESS });
    await t.db('invoices').where({ id: stray }).update({ series: 'PCN', number: 999 });
    const other = await cancelledTransmitted({ afm: BUSINESS });
    expect(await t.call('einvoice_submit', { invoice_id: other.id })).toMatchObject({ ok: false, error: 'credit_note_series_conflict' });
    expect(await nextNumber('PCN')).toBe(2);
    await t.call('save_einvoice_settings', { credit_note_series_business: 'CN' });
  });
});

async function xmllintOrSkip(xml: string, version: '2.0.1' | '1.0.12'): Promise<boolean> {
  await assertValidInvoicesDoc(xml, version);
  const verdict = await xmllintVerdict(xml, invoicesDocXsdPath(version));
  if (verdict === 'skipped') {
    if (process.env.CI) throw new Error('xmllint is missing: CI installs libxml2-utils');
    noteSkip('xmllint (libxml2-utils) is not installed: the XSD check of the sent document did not run');
    return true;
  }
  return verdict;
}
