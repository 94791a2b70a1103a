/** setCustomerStatus is the path billing's dunning uses; it must work from a system context and inside a caller's transaction. */
import { makeTestApp, type TestApp } from '../../helpers/app';
import { setCustomerStatus } from '../../../src/services/network/customers';

let t: TestApp;
let id: number;

beforeAll(async () => {
  t = await makeTestApp();
  await t.call('add_plan', { name: 'P', download: '10M', upload: '1M' });
  id = (await t.call('add', { username: 'dunned', password: 'pw', plan: 'P' })).data.id;
});
afterAll(() => t.close());

test('suspends from a system context with a reason, emitting customer.suspended once', async () => {
  const r = await setCustomerStatus(t.ctx(), id, 'suspended', 'invoice INV-7 overdue');
  expect(r).toMatchObject({ id, status: 'suspended', suspend_reason: 'invoice INV-7 overdue', changed: true });
  expect(await t.db('radcheck').where({ username: 'dunned', attribute: 'Auth-Type', value: 'Reject' })).toHaveLength(1);
  // Same status again: nothing changes, no second event.
  expect(await setCustomerStatus(t.ctx(), id, 'suspended')).toMatchObject({ changed: false });
  expect(await t.db('outbox_events').where({ event: 'customer.suspended' })).toHaveLength(1);
});

test("inside the caller's transaction: a rollback there undoes the unsuspend too", async () => {
  await expect(
    t.db.transaction(async (trx) => {
      await setCustomerStatus({ ...t.ctx(), db: trx }, id, 'active');
      throw new Error('dunning run failed later');
    }),
  ).rejects.toThrow('dunning run failed later');
  expect((await t.db('customers').where({ id }).first()).status).toBe('suspended');
  expect(await t.db('radcheck').where({ username: 'dunned', attribute: 'Auth-Type' })).toHaveLength(1);
  expect(await t.db('outbox_events').where({ event: 'customer.unsuspended' })).toHaveLength(0);
});

test('bad input: unknown subscriber and unknown status', async () => {
  await expect(setCustomerStatus(t.ctx(), 999999, 'active')).rejects.toMatchObject({ code: 'customer_not_found' });
  await expect(setCustomerStatus(t.ctx(), id, 'frozen' as never)).rejects.toMatchObject({ code: 'invalid_status' });
});
