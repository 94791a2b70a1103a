import { makeTestApp, type TestApp } from '../../helpers/app';
import { generateMonth } from '../../../src/services/billing/generate';
import { runDunning } from '../../../src/services/billing/dunning';
import { today } from '../../../src/services/billing/invoices';
import { addDays } from '../../../src/domain/invoice-math';
import { addCustomer, addCustomers, addPlan } from '../../api/billing/fixtures';

let t: TestApp;
beforeAll(async () => { t = await makeTestApp(); });
afterAll(async () => t?.close());

async function monthInvoices(month: string) {
  return t.db('invoices').where({ period: month }).orderBy('number').select('id', 'customer_id', 'series', 'number', 'total_cents');
}

function expectGapFree(numbers: number[], from = 1) {
  expect(numbers).toEqual(Array.from({ length: numbers.length }, (_, i) => from + i));
}

test('generate_invoices_month: one invoice per active billable subscriber, pro rata, VAT lines, then idempotent', async () => {
  const plan = await addPlan(t.db, 'Gen 30', 3000);
  const free = await addPlan(t.db, 'Gen free', 0);
  const full = await addCustomer(t.db, plan, { activated_at: '2026-05-10 08:00:00' });
  const half = await addCustomer(t.db, plan, { activated_at: '2026-06-16 12:00:00' });
  const later = await addCustomer(t.db, plan, { activated_at: '2026-07-02 00:00:00' });
  const suspended = await addCustomer(t.db, plan, { status: 'suspended' });
  const zero = await addCustomer(t.db, free);
  const optedOut = await addCustomer(t.db, plan);
  expect((await t.call('save_billing_customer', { customer_id: optedOut, billing_cycle: 'none' })).ok).toBe(true);
  const exempt = await addCustomer(t.db, plan);
  expect((await t.call('save_billing_customer', { customer_id: exempt, vat_rate: '0', vat_exemption_code: '14' })).ok).toBe(true);

  const hook = await t.call('webhook_create', { url: 'http://127.0.0.1:9/hook', events: 'invoice.generated' });
  expect(hook.ok).toBe(true);

  const first = await t.call('generate_invoices_month', { month: '2026-06' });
  expect(first).toMatchObject({ ok: true, data: { month: '2026-06', created: 3, already_existing: 0, already_generated: false } });
  const rows = await monthInvoices('2026-06');
  expect(rows.map((r) => Number(r.customer_id)).sort()).toEqual([full, half, exempt].sort());
  for (const c of [later, suspended, zero, optedOut]) expect(rows.find((r) => Number(r.customer_id) === c)).toBeUndefined();
  // prices include VAT by default: the full month costs exactly the plan price
  const byCustomer = new Map(rows.map((r) => [Number(r.customer_id), r]));
  expect(Number(byCustomer.get(full)!.total_cents)).toBe(3000);
  expect(Number(byCustomer.get(half)!.total_cents)).toBe(1500); // 15 of 30 days
  const halfLines = await t.db('invoice_lines').where({ invoice_id: byCustomer.get(half)!.id });
  expect(halfLines).toEqual([expect.objectContaining({ quantity: 1, unit_price_cents: 1500, vat_rate: 24, net_cents: 1210, vat_cents: 290, total_cents: 1500 })]);
  expect(halfLines[0].description).toContain('pro rata 15/30');
  const exemptLines = await t.db('invoice_lines').where({ invoice_id: byCustomer.get(exempt)!.id });
  expect(exemptLines[0]).toMatchObject({ vat_rate: 0, vat_exemption_code: '14', vat_cents: 0, net_cents: 3000 });
  // June's issue day is past: the invoices are dated the day they are issued (see the test below)
  const inv = await t.db('invoices').where({ id: byCustomer.get(full)!.id }).first();
  expect(inv).toMatchObject({ issue_date: today(), due_date: addDays(today(), 15), status: 'unpaid', source: 'monthly' });
  expect(await t.db('outbox_events').where({ event: 'invoice.generated' }).count({ n: '*' })).toEqual([{ n: 3 }]);
  // the bulk outbox writes what emit() writes: the envelope, and one delivery per subscribed webhook
  const evts = await t.db('outbox_events').where({ event: 'invoice.generated' });
  for (const e of evts) {
    const payload = JSON.parse(e.payload);
    expect(payload).toEqual({ event: 'invoice.generated', timestamp: expect.any(String), data: expect.objectContaining({ period: '2026-06', invoice_id: expect.any(Number) }) });
  }
  expect(await t.db('webhook_deliveries').where({ webhook_id: hook.data.id, status: 'pending' }).whereIn('outbox_id', evts.map((e) => e.id)).count({ n: '*' })).toEqual([{ n: 3 }]);

  const second = await t.call('generate_invoices_month', { month: '2026-06' });
  expect(second).toMatchObject({ ok: true, data: { created: 0, already_existing: 3, already_generated: true } });
  expect(second.data.message).toMatch(/already generated/);
  expect(await monthInvoices('2026-06')).toHaveLength(3);
  expect(await t.db('outbox_events').where({ event: 'invoice.generated' }).count({ n: '*' })).toEqual([{ n: 3 }]);
  expect(await t.call('generate_invoices_month', { month: '2026-13' })).toMatchObject({ ok: false, error: 'invalid_month' });
  expect(await t.call('generate_invoices_month', {})).toMatchObject({ ok: false, error: 'missing_month' });
});

test('an invoice is dated the day it is issued: a month generated after its issue day is not backdated, and not due before it is issued', async () => {
  const plan = await addPlan(t.db, 'Gen late', 2000);
  const cid = await addCustomer(t.db, plan, { activated_at: '2026-01-01 00:00:00' });
  // Its own series: this test travels back in time, and a series only moves forward (see series-law.test.ts).
  expect((await t.call('save_billing_customer', { customer_id: cid, series: 'LATE' })).ok).toBe(true);
  const others = (await t.db('customers').where({ status: 'active' }).whereNot({ id: cid }).select('id')).map((r) => Number(r.id));
  await t.db('customers').whereIn('id', others).update({ status: 'suspended' });
  const only = (r: Awaited<ReturnType<typeof generateMonth>>) => t.db('invoices').where({ period: r.month, customer_id: cid }).first();

  // in advance: dated on the issue day (1st by default), due 15 days later
  const early = await generateMonth(t.ctx(), '2026-03', { on: '2026-02-25' });
  expect(early).toMatchObject({ created: expect.any(Number), issue_date: '2026-03-01', due_date: '2026-03-16' });
  expect(await only(early)).toMatchObject({ issue_date: '2026-03-01', due_date: '2026-03-16' });
  // late in the month: dated that day, not the 1st, so the subscriber is not overdue (or past the grace days) already
  const late = await generateMonth(t.ctx(), '2026-04', { on: '2026-04-27' });
  expect(late).toMatchObject({ issue_date: '2026-04-27', due_date: '2026-05-12' });
  expect(await only(late)).toMatchObject({ issue_date: '2026-04-27', due_date: '2026-05-12' });
  expect(await generateMonth(t.ctx(), '2026-04', { on: '2026-04-28' })).toMatchObject({ created: 0, issue_date: null, due_date: null });
  await t.db('customers').whereIn('id', others).update({ status: 'active' });

  // through the API, today: dunning today neither marks it overdue nor suspends anyone for it
  await t.db('invoices').where({ customer_id: cid }).update({ status: 'paid', paid_cents: t.db.raw('total_cents') });
  const month = today().slice(0, 7);
  const r = await t.call('generate_invoices_month', { month });
  expect(r).toMatchObject({ ok: true, data: { issue_date: expect.any(String), due_date: expect.any(String) } });
  expect(r.data.issue_date >= today()).toBe(true);
  const inv = await t.db('invoices').where({ period: month, customer_id: cid }).first();
  expect(inv.due_date).toBe(addDays(inv.issue_date, 15));
  await runDunning(t.ctx(), today());
  expect(await t.db('invoices').where({ id: inv.id }).first()).toMatchObject({ status: 'unpaid' });
  expect(await t.db('customers').where({ id: cid }).first()).toMatchObject({ status: 'active' });
});

test('a run that dies half-way is completed by the next: exactly one invoice each, numbers without gaps', async () => {
  const plan = await addPlan(t.db, 'Gen crash', 2500);
  const ids = await addCustomers(t.db, plan, 23);
  // only these 23 are billable in this month
  await t.db('customers').whereNotIn('id', ids).update({ status: 'suspended' });
  const month = '2026-08';
  // Another month's earlier run took the first numbers of the series; numbering must continue from there.
  const series = await t.db('invoice_series').where({ code: 'A' }).first();
  const startNumber = series ? Number(series.next_number) : 1;

  let committedBeforeCrash = -1;
  await expect(
    generateMonth(t.ctx(), month, {
      batchSize: 5,
      faultHook: ({ batch, createdBefore }) => {
        if (batch === 3) {
          committedBeforeCrash = createdBefore;
          throw new Error('simulated crash inside batch 3');
        }
      },
    }),
  ).rejects.toThrow('simulated crash');
  const partial = await monthInvoices(month);
  // Batches 1 and 2 committed; batch 3 had written its invoices when it died, and rolled back with its numbers.
  expect(committedBeforeCrash).toBeGreaterThan(0);
  expect(committedBeforeCrash).toBeLessThan(23);
  expect(partial).toHaveLength(committedBeforeCrash);
  expectGapFree(partial.map((r) => Number(r.number)), startNumber);
  expect(Number((await t.db('invoice_series').where({ code: 'A' }).first()).next_number)).toBe(startNumber + committedBeforeCrash);
  expect(await t.db('invoice_lines').whereIn('invoice_id', partial.map((r) => r.id)).count({ n: '*' })).toEqual([{ n: committedBeforeCrash }]);

  const resumed = await generateMonth(t.ctx(), month, { batchSize: 5 });
  expect(resumed).toMatchObject({ created: 23 - committedBeforeCrash, already_existing: committedBeforeCrash, total_for_month: 23 });
  const all = await monthInvoices(month);
  expect(all).toHaveLength(23);
  expect(new Set(all.map((r) => Number(r.customer_id)))).toEqual(new Set(ids));
  expectGapFree(all.map((r) => Number(r.number)), startNumber);
  expect(await t.db('invoice_lines').whereIn('invoice_id', all.map((r) => r.id)).count({ n: '*' })).toEqual([{ n: 23 }]);
  const events = (await t.db('outbox_events').where({ event: 'invoice.generated' }).select('payload')).map((e) => JSON.parse(e.payload).data).filter((d) => d.period === month);
  expect(events).toHaveLength(23);

  expect(await generateMonth(t.ctx(), month, { batchSize: 5 })).toMatchObject({ created: 0, already_generated: true });
});

test('a second run racing the first cannot create a second invoice for a subscriber', async () => {
  const plan = await addPlan(t.db, 'Gen race', 1000);
  await addCustomers(t.db, plan, 12);
  const month = '2026-09';
  const results = await Promise.allSettled([generateMonth(t.ctx(), month, { batchSize: 4 }), generateMonth(t.ctx(), month, { batchSize: 4 })]);
  for (const r of results) if (r.status === 'rejected') expect((r.reason as { code?: string }).code).toBe('generation_in_progress');
  await generateMonth(t.ctx(), month);
  const rows = await monthInvoices(month);
  const perCustomer = new Map<number, number>();
  for (const r of rows) perCustomer.set(Number(r.customer_id), (perCustomer.get(Number(r.customer_id)) ?? 0) + 1);
  expect([...perCustomer.values()].every((n) => n === 1)).toBe(true);
  const all = await t.db('invoices').where({ series: 'A' }).orderBy('number').select('number');
  expectGapFree(all.map((r) => Number(r.number)));
});

test('progress: one report per id window, in order, ending at the last id; numbers follow the subscribers in id order across windows', async () => {
  const plan = await addPlan(t.db, 'Gen progress', 1200);
  const ids = await addCustomers(t.db, plan, 17);
  await t.db('customers').whereNotIn('id', ids).update({ status: 'suspended' });
  const month = '2026-10';
  const total = Number((await t.db('customers').max({ m: 'id' }))[0].m);
  const reports: [number, number][] = [];
  // Small windows, so several batches are written while the next window is being read.
  const r = await generateMonth(t.ctx(), month, { batchSize: 4, progress: async (done, all) => { reports.push([done, all]); } });
  expect(r).toMatchObject({ created: 17, skipped: [] });
  const windows = Math.ceil(total / 4);
  expect(reports).toEqual(Array.from({ length: windows }, (_, i) => [Math.min((i + 1) * 4, total), total]));
  const rows = await monthInvoices(month);
  expect(rows.map((x) => Number(x.customer_id))).toEqual([...ids].sort((a, b) => a - b));
  expectGapFree(rows.map((x) => Number(x.number)), Number(rows[0].number));
  // every invoice has its own line and event, pointing at the right invoice
  const lines = await t.db('invoice_lines').whereIn('invoice_id', rows.map((x) => x.id)).select('invoice_id', 'total_cents');
  expect(lines.map((l) => Number(l.invoice_id)).sort((a, b) => a - b)).toEqual(rows.map((x) => Number(x.id)).sort((a, b) => a - b));
  const events = (await t.db('outbox_events').where({ event: 'invoice.generated' }).select('payload')).map((e) => JSON.parse(e.payload).data).filter((d) => d.period === month);
  const byInvoice = new Map(rows.map((x) => [Number(x.id), Number(x.customer_id)]));
  expect(events).toHaveLength(17);
  for (const e of events) expect(byInvoice.get(e.invoice_id)).toBe(e.customer_id);
});
