import { makeTestApp, type TestApp } from '../../helpers/app';
import * as link from '../../../migrations/20261130050000_customers_mor_link';
import * as topups from '../../../migrations/20261130050100_voip_topups';
import * as devices from '../../../migrations/20261130050200_voip_devices';
import * as erpLinks from '../../../migrations/20261130050300_erp_links';

let t: TestApp;
beforeAll(async () => { t = await makeTestApp(); });
afterAll(async () => t?.close());

test('the VoIP and ERP migrations go down and up again cleanly', async () => {
  expect(await t.db.schema.hasColumn('customers', 'mor_user_id')).toBe(true);
  for (const m of [erpLinks, devices, topups, link]) await m.down(t.db);
  expect(await t.db.schema.hasTable('erp_links')).toBe(false);
  expect(await t.db.schema.hasTable('voip_topups')).toBe(false);
  expect(await t.db.schema.hasTable('voip_devices')).toBe(false);
  expect(await t.db.schema.hasColumn('customers', 'mor_user_id')).toBe(false);
  expect(await t.db.schema.hasColumn('customers', 'mor_username')).toBe(false);
  expect(await t.db.schema.hasColumn('customers', 'username')).toBe(true);
  for (const m of [link, topups, devices, erpLinks]) await m.up(t.db);
  expect(await t.db.schema.hasColumn('customers', 'mor_username')).toBe(true);
  expect(await t.db.schema.hasTable('erp_links')).toBe(true);
});
