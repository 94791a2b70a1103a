import { makeTestApp, type TestApp } from '../../helpers/app';
import { generateMonth } from '../../../src/services/billing/generate';
import { installationTimezone } from '../../../src/services/billing/invoices';
import { addCustomer, addPlan } from '../../api/billing/fixtures';

/** Time is one thing: activation instants are UTC, the month they fall in is read on the installation's calendar. */
let t: TestApp;
beforeAll(async () => { t = await makeTestApp(); });
afterAll(async () => t?.close());

test('a subscriber activated at 00:30 Athens time on 1 December gets no November invoice; the zone setting decides', async () => {
  const plan = await addPlan(t.db, 'Cal 30', 3000);
  // 2026-11-30 22:30 UTC is 2026-12-01 00:30 in Athens (UTC+2)
  const cid = await addCustomer(t.db, plan, { activated_at: '2026-11-30 22:30:00' });
  const before = await addCustomer(t.db, plan, { activated_at: '2026-11-30 21:59:59' }); // 23:59:59 on 30 November

  expect(await installationTimezone(t.db)).toBe('Europe/Athens');
  const nov = await generateMonth(t.ctx(), '2026-11', { on: '2026-11-30' });
  expect(nov.skipped).toEqual([]);
  expect(await t.db('invoices').where({ customer_id: cid, period: '2026-11' }).first()).toBeUndefined();
  const last = await t.db('invoices').where({ customer_id: before, period: '2026-11' }).first();
  expect(last).toMatchObject({ total_cents: 100 }); // 1/30 of 30.00 incl. VAT
  expect((await t.db('invoice_lines').where({ invoice_id: last.id }).first()).description).toContain('pro rata 1/30');

  const dec = await generateMonth(t.ctx(), '2026-12', { on: '2026-11-30' });
  expect(dec.created).toBe(2);
  const full = await t.db('invoices').where({ customer_id: cid, period: '2026-12' }).first();
  expect(full).toMatchObject({ total_cents: 3000 });

  // The same instant on a UTC calendar is still 30 November: then (and only then) November owes one day.
  expect(await t.call('save_settings', { timezone: 'UTC' })).toMatchObject({ ok: true });
  expect(await installationTimezone(t.db)).toBe('UTC');
  expect(await generateMonth(t.ctx(), '2026-11', { on: '2026-12-01' })).toMatchObject({ created: 1 });
  const utcNov = await t.db('invoices').where({ customer_id: cid, period: '2026-11' }).first();
  expect(utcNov).toMatchObject({ total_cents: 100 });
});
