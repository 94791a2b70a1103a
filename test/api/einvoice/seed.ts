import type { Knex } from 'knex';
import { nowUtc } from '../../../src/db/knex';

let seq = 0;

/** A customer and an issued invoice written straight into the billing tables, as billing would leave them. */
export async function seedInvoice(db: Knex, o: {
  afm?: string | null;
  status?: string;
  number?: number;
  lines?: Array<{ description: string; quantity: number; net: number; vat: number; rate: number; exemption?: string }>;
} = {}): Promise<number> {
  seq++;
  const now = nowUtc();
  let plan = await db('plans').first('id');
  if (!plan) {
    await db('plans').insert({ name: 'FTTH 100', download_bps: 100_000_000, upload_bps: 10_000_000, price_cents: 2480, created_at: now, updated_at: now });
    plan = await db('plans').first('id');
  }
  await db('customers').insert({ username: `cust${seq}_${Date.now()}`, password: 'pw', fullname: o.afm ? 'ACME AE' : 'Maria Papadopoulou', afm: o.afm ?? null, email: 'c@example.org', plan_id: plan!.id, status: 'active', created_at: now, updated_at: now });
  const customer = await db('customers').orderBy('id', 'desc').first('id');
  const lines = o.lines ?? [{ description: 'FTTH 100Mbps — January 2026', quantity: 1, net: 2000, vat: 480, rate: 24 }];
  const net = lines.reduce((s, l) => s + l.net, 0);
  const vat = lines.reduce((s, l) => s + l.vat, 0);
  await db('invoices').insert({
    customer_id: customer!.id, series: 'A', number: o.number ?? 1000 + seq, issue_date: '2026-01-15', due_date: '2026-01-30', currency: 'EUR',
    net_cents: net, vat_cents: vat, total_cents: net + vat, paid_cents: 0, status: o.status ?? 'unpaid', rf_code: `RF00TEST${seq}${Date.now()}`.slice(0, 25),
    source: 'manual', created_at: now, updated_at: now,
  });
  const invoice = await db('invoices').orderBy('id', 'desc').first('id');
  await db('invoice_lines').insert(lines.map((l, i) => ({
    invoice_id: invoice!.id, position: i + 1, description: l.description, quantity: l.quantity, unit_price_cents: Math.round((l.net + l.vat) / l.quantity),
    vat_rate: l.rate, vat_exemption_code: l.exemption ?? null, net_cents: l.net, vat_cents: l.vat, total_cents: l.net + l.vat,
  })));
  return invoice!.id;
}
