import { makeTestApp, type TestApp } from '../../helpers/app';

let t: TestApp;
beforeAll(async () => { t = await makeTestApp(); });
afterAll(async () => t?.close());

test('billing tables exist with the columns the e-invoicing area reads', async () => {
  for (const table of ['billing_settings', 'billing_customers', 'invoice_series', 'invoices', 'invoice_lines', 'payment_attempts', 'payments', 'idempotency_keys']) {
    expect(await t.db.schema.hasTable(table)).toBe(true);
  }
  for (const col of ['id', 'customer_id', 'series', 'number', 'issue_date', 'due_date', 'period', 'currency', 'net_cents', 'vat_cents', 'total_cents', 'paid_cents', 'status', 'rf_code', 'einvoice_status', 'einvoice_mark']) {
    expect(await t.db.schema.hasColumn('invoices', col)).toBe(true);
  }
  for (const col of ['id', 'invoice_id', 'description', 'quantity', 'unit_price_cents', 'vat_rate', 'net_cents', 'vat_cents', 'total_cents', 'vat_exemption_code']) {
    expect(await t.db.schema.hasColumn('invoice_lines', col)).toBe(true);
  }
});
