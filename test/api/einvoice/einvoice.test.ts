import { makeTestApp, type TestApp } from '../../helpers/app';
import { FakeMyDataServer } from '../../fakes/mydata-server';
import { FakeElorusServer } from '../../fakes/elorus-server';
import { FakeRgWsPublicServer } from '../../fakes/rgwspublic-server';
import { hasXmllintBinary, xmllintSchema } from '../../fakes/xmllint-cli';
import { invoicesDocXsdPath } from '../../../src/adapters/aade/xsd-validator';
import { seedInvoice } from './seed';

const ISSUER = '094014201';
const BUSINESS = '090165560';

describe('e-invoicing actions', () => {
  let t: TestApp;
  let mydata: FakeMyDataServer;
  let elorus: FakeElorusServer;
  let rg: FakeRgWsPublicServer;

  beforeAll(async () => {
    mydata = await new FakeMyDataServer({ accountAfm: ISSUER }).start();
    elorus = await new FakeElorusServer().start();
    rg = await new FakeRgWsPublicServer().start();
    t = await makeTestApp({ env: { MYDATA_BASE_URL: mydata.baseUrl, ELORUS_BASE_URL: elorus.baseUrl, AADE_VAT_URL: rg.url } });
    const saved = await t.call('save_einvoice_settings', {
      issuer_afm: ISSUER,
      mydata_user_id: mydata.userId,
      mydata_subscription_key: mydata.subscriptionKey,
      elorus_api_key: elorus.apiKey,
      elorus_organization_id: elorus.organizationId,
      elorus_tax_ids: '24=101,13=102',
      elorus_document_types: JSON.stringify({ '2.1': '9001', '11.2': '9002' }),
      vat_lookup_username: 'ISPGATE1',
      vat_lookup_password: 'S3cret!pass',
    });
    expect(saved).toMatchObject({ ok: true, data: { issuer_afm: ISSUER, mydata_subscription_key_set: true, elorus_api_key_set: true, vat_lookup_password_set: true } });
    expect(JSON.stringify(saved)).not.toContain(mydata.subscriptionKey);
    const stored = await t.db('settings').where({ key: 'einvoice.mydata_subscription_key' }).first();
    expect(stored.value).not.toContain(mydata.subscriptionKey);
  });
  afterAll(async () => {
    await t.close();
    await Promise.all([mydata.stop(), elorus.stop(), rg.stop()]);
  });

  it('submits a consumer invoice as 11.2: MARK stored, invoice marked, event emitted, XSD-valid document kept', async () => {
    const id = await seedInvoice(t.db);
    const body = await t.call('einvoice_submit', { invoice_id: id });
    expect(body).toMatchObject({ ok: true, data: { already_submitted: false, recovered: false, submission: { status: 'submitted', provider: 'mydata', document_type: '11.2' } } });
    const stored = mydata.invoices.at(-1)!;
    expect(body.data.submission).toMatchObject({ mark: stored.mark, uid: stored.uid, qr_url: expect.stringContaining('TimologioQR') });
    expect(await t.db('invoices').where({ id }).first('einvoice_status', 'einvoice_mark')).toEqual({ einvoice_status: 'submitted', einvoice_mark: stored.mark });
    const event = await t.db('outbox_events').where({ event: 'einvoice.submitted' }).orderBy('id', 'desc').first();
    expect(JSON.parse(event.payload).data).toMatchObject({ invoice_id: id, mark: stored.mark, provider: 'mydata' });
    const row = await t.db('einvoice_submissions').where({ invoice_id: id }).first();
    expect(row.xml).toBe(mydata.requests.filter((r) => r.path === '/SendInvoices').at(-1)!.body);
    if (hasXmllintBinary() || process.env.CI) expect((await xmllintSchema(row.xml, invoicesDocXsdPath('2.0.1'))).valid).toBe(true);
  });

  it('submits a business invoice with several VAT rates as 2.1 and answers the same MARK on a second submit', async () => {
    const id = await seedInvoice(t.db, { afm: BUSINESS, lines: [
      { description: 'FTTH', quantity: 1, net: 3000, vat: 720, rate: 24 },
      { description: 'Static IP (island)', quantity: 1, net: 500, vat: 85, rate: 17 },
      { description: 'Exempt service', quantity: 1, net: 100, vat: 0, rate: 0, exemption: '14' },
    ] });
    const first = await t.call('einvoice_submit', { invoice_id: id });
    expect(first.data.submission).toMatchObject({ status: 'submitted', document_type: '2.1' });
    expect(mydata.invoices.at(-1)).toMatchObject({ counterpartVat: BUSINESS, grossCents: 4405 });
    const sends = mydata.sendCount();
    const again = await t.call('einvoice_submit', { invoice_id: id });
    expect(again).toMatchObject({ ok: true, data: { already_submitted: true, submission: { mark: first.data.submission.mark } } });
    expect(mydata.sendCount()).toBe(sends);
  });

  it('two concurrent submits send one document', async () => {
    const id = await seedInvoice(t.db);
    const before = mydata.sendCount();
    const hold = mydata.holdNextSend();
    const a = t.call('einvoice_submit', { invoice_id: id });
    await hold.received;
    const b = await t.call('einvoice_submit', { invoice_id: id });
    expect(b).toMatchObject({ ok: false, error: 'einvoice_submission_in_progress' });
    hold.release();
    const ra = await a;
    expect(ra.data.submission.status).toBe('submitted');
    expect(mydata.sendCount()).toBe(before + 1);
    expect(mydata.invoices.filter((i) => i.mark === ra.data.submission.mark)).toHaveLength(1);
  });

  it('after a lost reply the next submit recovers the MARK with RequestTransmittedDocs instead of resending', async () => {
    const id = await seedInvoice(t.db);
    mydata.dropNextReply();
    const lost = await t.call('einvoice_submit', { invoice_id: id });
    expect(lost).toMatchObject({ ok: false, error: 'mydata_unreachable' });
    expect(await t.db('einvoice_submissions').where({ invoice_id: id }).first('status')).toEqual({ status: 'unknown' });
    expect((await t.db('invoices').where({ id }).first()).einvoice_status).toBe('pending');
    const sends = mydata.sendCount();
    const booked = mydata.invoices.at(-1)!;
    const retry = await t.call('einvoice_submit', { invoice_id: id });
    expect(retry).toMatchObject({ ok: true, data: { recovered: true, submission: { status: 'submitted', mark: booked.mark, uid: booked.uid } } });
    expect(mydata.sendCount()).toBe(sends);
    const status = await t.call('einvoice_status', { invoice_id: id });
    expect(status.data.submissions[0].attempts.map((x: any) => [x.operation, x.outcome])).toEqual([['send', 'transport_error'], ['recover', 'recovered']]);
  });

  it('a ValidationError is stored with its errors and the invoice stays deletable; TechnicalError is a clear error', async () => {
    // The fake's account is another AFM for this one: myDATA answers ValidationError.
    const other = await new FakeMyDataServer({ accountAfm: '094019245', userId: mydata.userId, subscriptionKey: mydata.subscriptionKey }).start();
    const t2 = await makeTestApp({ env: { MYDATA_BASE_URL: other.baseUrl } });
    try {
      await t2.call('save_einvoice_settings', { issuer_afm: ISSUER, mydata_user_id: mydata.userId, mydata_subscription_key: mydata.subscriptionKey });
      const id = await seedInvoice(t2.db);
      const r = await t2.call('einvoice_submit', { invoice_id: id });
      expect(r).toMatchObject({ ok: false, error: 'einvoice_rejected' });
      expect(r.message).toContain('Issuer VAT number');
      const st = await t2.call('einvoice_status', { invoice_id: id });
      expect(st.data).toMatchObject({ status: 'rejected', mark: null, errors: [{ code: '102', message: expect.stringContaining(ISSUER) }] });
      expect((await t2.db('invoices').where({ id }).first()).einvoice_status).toBeNull();
      other.failNextWithTechnicalError();
      expect(await t2.call('einvoice_submit', { invoice_id: id })).toMatchObject({ ok: false, error: 'mydata_technical_error' });
    } finally {
      await t2.close();
      await other.stop();
    }
  });

  it('refuses planned providers, unknown invoices and bad input', async () => {
    const id = await seedInvoice(t.db);
    for (const p of ['impact', 'primer', 'retail_link', 'edpsoft']) {
      expect(await t.call('einvoice_submit', { invoice_id: id, provider: p })).toMatchObject({ ok: false, error: 'provider_not_available' });
    }
    expect(await t.call('einvoice_submit', { invoice_id: id, provider: 'acme' })).toMatchObject({ ok: false, error: 'invalid_provider' });
    expect(await t.call('einvoice_submit', { invoice_id: 999999 })).toMatchObject({ ok: false, error: 'invoice_not_found' });
    expect(await t.call('einvoice_submit', {})).toMatchObject({ ok: false, error: 'missing_invoice_id' });
    expect(await t.call('einvoice_status', { invoice_id: id })).toMatchObject({ ok: true, data: { status: 'not_submitted', submissions: [] } });
  });

  it('cancels a MARK and stores the cancellation mark; cancelling an unsent invoice is refused', async () => {
    const id = await seedInvoice(t.db);
    const sub = await t.call('einvoice_submit', { invoice_id: id });
    const c = await t.call('einvoice_cancel', { invoice_id: id });
    const stored = mydata.invoices.find((i) => i.mark === sub.data.submission.mark)!;
    expect(c).toMatchObject({ ok: true, data: { submission: { status: 'cancelled', cancellation_mark: stored.cancelledByMark } } });
    expect((await t.db('invoices').where({ id }).first()).einvoice_status).toBe('cancelled');
    expect(await t.call('einvoice_cancel', { invoice_id: id })).toMatchObject({ ok: true, data: { already_cancelled: true } });
    const fresh = await seedInvoice(t.db);
    expect(await t.call('einvoice_cancel', { invoice_id: fresh })).toMatchObject({ ok: false, error: 'einvoice_not_submitted' });
  });

  it('a cancelled, transmitted business invoice is credited with a 5.1 correlated to its MARK', async () => {
    const id = await seedInvoice(t.db, { afm: BUSINESS });
    const sub = await t.call('einvoice_submit', { invoice_id: id });
    await t.db('invoices').where({ id }).update({ status: 'cancelled' });
    const credit = await t.call('einvoice_submit', { invoice_id: id });
    expect(credit).toMatchObject({ ok: true, data: { submission: { kind: 'credit_note', document_type: '5.1', status: 'submitted' } } });
    const sent = mydata.requests.filter((r) => r.path === '/SendInvoices').at(-1)!.body;
    expect(sent).toContain(`<correlatedInvoices>${sub.data.submission.mark}</correlatedInvoices>`);
    expect((await t.db('invoices').where({ id }).first()).einvoice_mark).toBe(sub.data.submission.mark);
  });

  it('submits through Elorus, reusing the contact, and reads the MARK back when Elorus had none yet', async () => {
    const id = await seedInvoice(t.db, { afm: BUSINESS });
    elorus.holdMyData();
    const r = await t.call('einvoice_submit', { invoice_id: id, provider: 'elorus' });
    expect(r).toMatchObject({ ok: true, data: { submission: { provider: 'elorus', status: 'pending_mark', mark: null, document_type: '2.1' } } });
    expect((await t.db('invoices').where({ id }).first()).einvoice_status).toBe('pending');
    elorus.releaseMyData();
    const st = await t.call('einvoice_status', { invoice_id: id });
    const inv = elorus.invoices.at(-1)!;
    expect(st.data).toMatchObject({ status: 'submitted', mark: inv.mydata_latest_mark, uid: inv.mydata_uid });
    expect(inv).toMatchObject({ mydata_document_type: '2.1', custom_id: `ispgate:default:invoice:${id}`, documenttype: '9001' });

    const id2 = await seedInvoice(t.db, { afm: BUSINESS });
    const r2 = await t.call('einvoice_submit', { invoice_id: id2, provider: 'elorus' });
    expect(r2.data.submission.status).toBe('submitted');
    expect(elorus.contacts.filter((c) => c.vat_number === BUSINESS)).toHaveLength(1);
  });

  it('after a lost Elorus reply the retry finds the issued invoice by custom_id instead of issuing twice', async () => {
    const id = await seedInvoice(t.db);
    elorus.dropNextReply();
    expect(await t.call('einvoice_submit', { invoice_id: id, provider: 'elorus' })).toMatchObject({ ok: false, error: 'elorus_unreachable' });
    expect((await t.db('invoices').where({ id }).first()).einvoice_status).toBe('pending');
    const count = elorus.invoices.length;
    // Even if the caller now asks for myDATA, a document that may exist at Elorus stays with Elorus.
    const retry = await t.call('einvoice_submit', { invoice_id: id, provider: 'mydata' });
    expect(retry).toMatchObject({ ok: true, data: { recovered: true, submission: { provider: 'elorus', status: 'submitted', mark: elorus.invoices.at(-1)!.mydata_latest_mark } } });
    expect(elorus.invoices.length).toBe(count);
  });

  it('a transmitted invoice cannot be deleted', async () => {
    const id = await seedInvoice(t.db);
    await t.call('einvoice_submit', { invoice_id: id });
    expect(await t.call('delete_invoice', { id })).toMatchObject({ ok: false, error: 'einvoice_locked' });
    expect(await t.db('invoices').where({ id }).first('id')).toEqual({ id });
  });

  it('Elorus with a wrong key is a clear error and nothing is marked', async () => {
    await t.call('save_einvoice_settings', { elorus_api_key: 'wrong' });
    try {
      const id = await seedInvoice(t.db);
      expect(await t.call('einvoice_submit', { invoice_id: id, provider: 'elorus' })).toMatchObject({ ok: false, error: 'elorus_unauthorized' });
      expect((await t.db('invoices').where({ id }).first()).einvoice_status).toBeNull();
    } finally {
      await t.call('save_einvoice_settings', { elorus_api_key: elorus.apiKey });
    }
  });

  it('aade_lookup returns name, DOY, address and activities; a bad check digit never reaches AADE', async () => {
    const r = await t.call('aade_lookup', { afm: BUSINESS });
    expect(r).toMatchObject({ ok: true, data: { afm: BUSINESS, name: 'ΠΑΡΑΔΕΙΓΜΑ ΤΗΛΕΠΙΚΟΙΝΩΝΙΕΣ ΑΝΩΝΥΜΗ ΕΤΑΙΡΕΙΑ', doy: '1104', doy_name: 'Δ΄ ΑΘΗΝΩΝ', address: 'ΕΡΜΟΥ', address_no: '10', postal_code: '10563', city: 'ΑΘΗΝΑ', active: true, main_activity: { code: '61101000' } } });
    expect(r.data.activities).toHaveLength(2);
    const calls = rg.requests.length;
    expect(await t.call('aade_lookup', { afm: '090165561' })).toMatchObject({ ok: false, error: 'invalid_afm' });
    expect(await t.call('aade_lookup', {})).toMatchObject({ ok: false, error: 'missing_afm' });
    expect(rg.requests.length).toBe(calls);
    expect(await t.call('aade_lookup', { afm: ISSUER })).toMatchObject({ ok: false, error: 'afm_not_found' });
    expect(t.logs.join('\n')).not.toContain('S3cret!pass');
  });
});
