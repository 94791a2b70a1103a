/**
 * Dunning's per-subscriber suspensions run as one job with progress: runDunning answers its result with the
 * job's id, and the job row shows every subscriber counted.
 */
import { makeTestApp, type TestApp } from '../../helpers/app';
import { runDunning } from '../../../src/services/billing/dunning';
import { addCustomers, addPlan } from '../../api/billing/fixtures';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
  expect((await t.call('save_billing_settings', { grace_days: '5', due_days: '10' })).ok).toBe(true);
});
afterAll(async () => t.close());

test('twelve owing subscribers are suspended by one dunning job, a few at a time, with its progress', async () => {
  const planId = await addPlan(t.db, 'Dunning job plan', 1500);
  const ids = await addCustomers(t.db, planId, 12);
  for (const id of ids) {
    const r = await t.call('create_invoice_manual', { customer_id: id, lines: [{ description: 'Month', unit_price: '15' }], issue_date: '2026-09-01' });
    expect(r.ok).toBe(true);
  }
  const r = await runDunning(t.ctx(), '2026-10-01');
  expect(r).toMatchObject({ suspended: 12, failures: [], job_id: expect.any(String) });
  const job = await t.ctx().jobs.get(r.job_id);
  expect(job).toMatchObject({ task: 'billing.dunning_run', state: 'completed', progress: { done: 12, total: 12 } });
  const rows = await t.db('customers').whereIn('id', ids).select('status', 'suspend_reason');
  expect(rows.every((c) => c.status === 'suspended' && c.suspend_reason === 'Unpaid invoices past the grace period')).toBe(true);
  expect((await t.db('outbox_events').where({ event: 'customer.suspended' })).length).toBe(12);
  // The same day's run again: a new job (the first finished), nothing more to suspend.
  const again = await runDunning(t.ctx(), '2026-10-01');
  expect(again).toMatchObject({ suspended: 0 });
  expect(again.job_id).not.toBe(r.job_id);
});
