import { makeTestApp, type TestApp } from '../../helpers/app';
import { isValidRf } from '../../../src/domain/rf-code';
import { addCustomer, addPlan } from './fixtures';

let t: TestApp;
let planId: number;
beforeAll(async () => {
  t = await makeTestApp();
  planId = await addPlan(t.db, 'FTTH 100', 2999);
});
afterAll(async () => t?.close());

describe('save_billing_settings', () => {
  test('saves company details and gateway credentials, returns neither secret nor key names, stores them sealed', async () => {
    const body = await t.call('save_billing_settings', {
      company_name: 'Aegean Net ΙΚΕ', company_afm: '094019245', company_doy: 'ΚΕΦΟΔΕ ΑΤΤΙΚΗΣ', company_address: 'Ερμού 1, Αθήνα',
      default_vat_rate: '24', vat_rates: '24,13,6,17,9,4,0', due_days: '15', grace_days: '10', default_series: 'a',
      gateways: { stripe: { secret_key: 'sk_test_supersecret', webhook_secret: 'whsec_supersecret' } },
    });
    expect(body).toMatchObject({ ok: true, data: { company_afm: '094019245', default_vat_rate: 24, default_series: 'A', gateways_configured: ['stripe'] } });
    const text = JSON.stringify(body);
    expect(text).not.toContain('sk_test_supersecret');
    expect(text).not.toContain('whsec_supersecret');
    const row = await t.db('billing_settings').where({ id: 1 }).first();
    expect(row.gateways_enc).not.toContain('sk_test_supersecret');
    expect(JSON.parse(t.rt.secrets.decrypt(row.gateways_enc)).stripe.secret_key).toBe('sk_test_supersecret');
    expect(t.logs.join('\n')).not.toContain('sk_test_supersecret');
    const audit = await t.db('audit_log').where({ action: 'save_billing_settings' }).first();
    expect(audit.params).not.toContain('sk_test_supersecret');
    const read = await t.call('get_billing_settings');
    expect(JSON.stringify(read)).not.toContain('supersecret');
  });

  test.each([
    [{ company_afm: '123456789' }, 'invalid_company_afm'],
    [{ default_vat_rate: '23' }, 'invalid_default_vat_rate'],
    [{ currency: 'USD' }, 'invalid_currency'],
    [{ gateways: { bitpay: { key: 'x' } } }, 'invalid_gateway'],
    [{ gateways: { stripe: { password: 'x' } } }, 'invalid_gateways'],
    [{ issue_day: '31' }, 'invalid_issue_day'],
  ])('refuses %p', async (fields, code) => {
    expect(await t.call('save_billing_settings', fields)).toMatchObject({ ok: false, error: code });
  });
});

describe('save_billing_customer', () => {
  test('saves the VAT regime and payment method; exemption needs its code', async () => {
    const cid = await addCustomer(t.db, planId);
    expect(await t.call('save_billing_customer', { customer_id: cid, vat_rate: '0' })).toMatchObject({ ok: false, error: 'missing_vat_exemption_code' });
    const ok = await t.call('save_billing_customer', { customer_id: cid, vat_rate: '0', vat_exemption_code: '14', payment_method: 'stripe', payment_method_ref: 'pm_card_visa', gateway_customer_ref: 'cus_1', invoice_email: 'bills@example.gr', auto_charge: '1' });
    expect(ok).toMatchObject({ ok: true, data: { customer_id: cid, vat_rate: 0, vat_exemption_code: '14', payment_method: 'stripe', auto_charge: true } });
    const row = await t.db('billing_customers').where({ customer_id: cid }).first();
    expect(row).toMatchObject({ vat_rate: 0, vat_exemption_code: '14', payment_method_ref: 'pm_card_visa' });
  });
  test.each([
    [{ customer_id: 999999 }, 'customer_not_found'],
    [{ payment_method: 'bitcoin' }, 'invalid_payment_method'],
    [{ payment_method: 'viva' }, 'missing_payment_method_ref'],
    [{ invoice_email: 'nope' }, 'invalid_invoice_email'],
    [{ auto_charge: '1', payment_method: 'cash' }, 'invalid_auto_charge'],
  ])('refuses %p', async (fields, code) => {
    const cid = await addCustomer(t.db, planId);
    expect(await t.call('save_billing_customer', { customer_id: cid, ...fields })).toMatchObject({ ok: false, error: code });
  });
});

describe('manual invoices, reads, status and delete', () => {
  let cid: number;
  beforeAll(async () => {
    cid = await addCustomer(t.db, planId);
    // Net prices here; manual-invoice-vat is tested with prices that include VAT (the default) in series-law.test.ts.
    expect((await t.call('save_billing_settings', { prices_include_vat: '0' })).ok).toBe(true);
  });

  test('create_invoice_manual: lines rounded per line, totals add up, RF code, gap-free number, invoice.generated', async () => {
    const body = await t.call('create_invoice_manual', {
      customer_id: cid,
      lines: [
        { description: 'Router TP-Link', quantity: '2', unit_price: '19,99', vat_rate: '24' },
        { description: 'Installation', quantity: '1', unit_price: '0.02', vat_rate: '24' },
        { description: 'Island service', quantity: '3', unit_price: '10', vat_rate: '17' },
      ],
      issue_date: '2026-11-10',
    });
    expect(body.ok).toBe(true);
    const inv = body.data;
    expect(inv.lines.map((l: any) => [l.net_cents, l.vat_cents, l.total_cents])).toEqual([[3998, 960, 4958], [2, 0, 2], [3000, 510, 3510]]);
    expect(inv).toMatchObject({ net_cents: 7000, vat_cents: 1470, total_cents: 8470, paid_cents: 0, status: 'unpaid', issue_date: '2026-11-10', due_date: '2026-11-25', period: null });
    expect(isValidRf(inv.rf_code)).toBe(true);
    const rows = await t.db('invoice_lines').where({ invoice_id: inv.id });
    expect(rows).toHaveLength(3);
    const evt = await t.db('outbox_events').where({ event: 'invoice.generated' }).orderBy('id', 'desc').first();
    expect(JSON.parse(evt.payload).data).toMatchObject({ invoice_id: inv.id, total_cents: 8470 });
  });

  test('create_invoice_manual refuses bad input', async () => {
    expect(await t.call('create_invoice_manual', { customer_id: cid })).toMatchObject({ ok: false, error: 'missing_lines' });
    expect(await t.call('create_invoice_manual', { customer_id: cid, lines: [{ description: 'x', unit_price: '1.234' }] })).toMatchObject({ ok: false, error: 'invalid_unit_price' });
    expect(await t.call('create_invoice_manual', { customer_id: cid, lines: [{ description: 'x', unit_price: '1', vat_rate: '23' }] })).toMatchObject({ ok: false, error: 'invalid_vat_rate' });
    expect(await t.call('create_invoice_manual', { customer_id: 424242, lines: [{ description: 'x', unit_price: '1' }] })).toMatchObject({ ok: false, error: 'customer_not_found' });
    // a series outside A-Z0-9 would be squeezed out of the RF code and break webhook matching by invoice reference
    const series = await t.db('invoice_series').count({ n: '*' });
    expect(await t.call('create_invoice_manual', { customer_id: cid, series: 'A-1', lines: [{ description: 'x', unit_price: '1' }] })).toMatchObject({ ok: false, error: 'invalid_series' });
    expect(await t.db('invoice_series').count({ n: '*' })).toEqual(series);
  });

  test('get_invoice and list_invoices with meta and filters', async () => {
    const created = (await t.call('create_invoice_manual', { customer_id: cid, lines: [{ description: 'Fee', unit_price: '5' }], issue_date: '2026-10-05', series: 'OCT' })).data;
    const got = await t.call('get_invoice', { id: created.id }, { method: 'GET' });
    expect(got).toMatchObject({ ok: true, data: { id: created.id, lines: [{ description: 'Fee', total_cents: 620 }], payments: [] } });
    const list = await t.call('list_invoices', { customer_id: cid, per_page: 1, page: 1 });
    expect(list.meta).toMatchObject({ current_page: 1, per_page: 1, total: 2, last_page: 2 });
    expect(list.data).toHaveLength(1);
    const oct = await t.call('list_invoices', { customer_id: cid, month: '2026-10' });
    expect(oct.data.map((i: any) => i.id)).toEqual([created.id]);
    expect(await t.call('get_invoice', { id: 987654 })).toMatchObject({ ok: false, error: 'invoice_not_found' });
    expect(await t.call('list_invoices', { status: 'lost' })).toMatchObject({ ok: false, error: 'invalid_status' });
  });

  test('invoice_set_status: valid transitions only; paid records the balance', async () => {
    const inv = (await t.call('create_invoice_manual', { customer_id: cid, lines: [{ description: 'x', unit_price: '10' }], issue_date: '2026-01-01', series: 'JAN' })).data;
    expect(await t.call('invoice_set_status', { id: inv.id, status: 'overdue' })).toMatchObject({ ok: true, data: { status: 'overdue' } });
    const paid = await t.call('invoice_set_status', { id: inv.id, status: 'paid' });
    expect(paid).toMatchObject({ ok: true, data: { status: 'paid', paid_cents: 1240, balance_cents: 0 } });
    expect(await t.db('payments').where({ invoice_id: inv.id })).toEqual([expect.objectContaining({ amount_cents: 1240, method: 'manual' })]);
    expect(await t.call('invoice_set_status', { id: inv.id, status: 'unpaid' })).toMatchObject({ ok: false, error: 'invalid_status_transition' });
    expect(await t.call('invoice_set_status', { id: inv.id, status: 'bogus' })).toMatchObject({ ok: false, error: 'invalid_status' });
    const future = (await t.call('create_invoice_manual', { customer_id: cid, lines: [{ description: 'x', unit_price: '1' }], due_date: '2099-01-01' })).data;
    expect(await t.call('invoice_set_status', { id: future.id, status: 'overdue' })).toMatchObject({ ok: false, error: 'invoice_not_due' });
    expect(await t.call('invoice_set_status', { id: future.id, status: 'cancelled' })).toMatchObject({ ok: true, data: { status: 'cancelled' } });
    expect(await t.call('invoice_set_status', { id: future.id, status: 'unpaid' })).toMatchObject({ ok: false, error: 'invalid_status_transition' });
  });

  test('delete_invoice never frees a number: a numbered invoice is voided and kept, a submitted one is locked', async () => {
    const a = (await t.call('create_invoice_manual', { customer_id: cid, lines: [{ description: 'a', unit_price: '1' }], series: 'D' })).data;
    const b = (await t.call('create_invoice_manual', { customer_id: cid, lines: [{ description: 'b', unit_price: '1' }], series: 'D' })).data;
    expect([a.number, b.number]).toEqual([1, 2]);
    await t.db('invoices').where({ id: b.id }).update({ einvoice_status: 'submitted' });
    expect(await t.call('delete_invoice', { id: b.id })).toMatchObject({ ok: false, error: 'einvoice_locked', message: expect.stringContaining('credit note') });
    await t.db('invoices').where({ id: b.id }).update({ einvoice_status: null });
    // The newest goes to void, not away: before, deleting it rolled the counter back and D-000002 was issued again.
    expect(await t.call('delete_invoice', { id: b.id })).toMatchObject({ ok: true, data: { id: b.id, deleted: false, voided: true, invoice: { status: 'void', invoice_no: 'D-000002' } } });
    expect(await t.call('delete_invoice', { id: a.id })).toMatchObject({ ok: true, data: { id: a.id, voided: true } });
    expect(await t.db('invoices').where({ series: 'D' }).orderBy('number').select('number', 'status')).toEqual([{ number: 1, status: 'void' }, { number: 2, status: 'void' }]);
    expect(await t.db('invoice_lines').where({ invoice_id: b.id })).toHaveLength(1);
    const c = (await t.call('create_invoice_manual', { customer_id: cid, lines: [{ description: 'c', unit_price: '1' }], series: 'D' })).data;
    expect(c.number).toBe(3);
    expect(await t.call('pay_invoice', { invoice_id: b.id, method: 'cash' })).toMatchObject({ ok: false, error: 'invoice_void' });
    expect(await t.call('einvoice_submit', { invoice_id: b.id, provider: 'mydata' })).toMatchObject({ ok: false, error: 'invoice_void' });
    expect((await t.call('list_invoices', { customer_id: cid, status: 'void' })).data.map((i: any) => i.id).sort()).toEqual([a.id, b.id].sort());
    const evt = await t.db('outbox_events').where({ event: 'invoice.voided' }).orderBy('id', 'desc').first();
    expect(JSON.parse(evt.payload).data).toMatchObject({ invoice_id: a.id, invoice_no: 'D-000001' });
    expect(await t.call('delete_invoice', { id: 55555 })).toMatchObject({ ok: false, error: 'invoice_not_found' });
  });
});

test('invoices are never numbered in a credit-note series (defaults CN / CNR, or the ones set for e-invoicing)', async () => {
  const cid = await addCustomer(t.db, planId);
  const line = [{ description: 'x', unit_price: '1' }];
  expect(await t.call('create_invoice_manual', { customer_id: cid, series: 'cn', lines: line })).toMatchObject({ ok: false, error: 'invalid_series', message: expect.stringContaining('credit notes') });
  expect(await t.call('save_billing_settings', { default_series: 'CNR' })).toMatchObject({ ok: false, error: 'invalid_default_series' });
  expect(await t.call('save_billing_customer', { customer_id: cid, series: 'CN' })).toMatchObject({ ok: false, error: 'invalid_series' });
  expect(await t.call('save_einvoice_settings', { credit_note_series_business: 'PC' })).toMatchObject({ ok: true });
  expect(await t.call('create_invoice_manual', { customer_id: cid, series: 'PC', lines: line })).toMatchObject({ ok: false, error: 'invalid_series' });
  expect(await t.call('create_invoice_manual', { customer_id: cid, series: 'CN', lines: line })).toMatchObject({ ok: true, data: { series: 'CN', number: 1 } });
});
