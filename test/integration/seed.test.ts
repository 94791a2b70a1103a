import { seedDemo } from '../../seeds/demo';
import { makeTestApp, type TestApp } from '../helpers/app';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(async () => t.close());

test('the demo seed creates plans and subscribers through the actions, and a second run adds nothing', async () => {
  await seedDemo(t.rt);
  const plans = await t.db('plans').orderBy('id');
  expect(plans.map((p) => p.name)).toEqual(['FTTH 100', 'FTTH 300', 'VDSL 50']);
  expect(plans[0].price_cents).toBe(2480);
  expect(await t.db('customers').count({ n: '*' }).then((r) => Number(r[0].n))).toBe(4);
  // subscribers are provisioned into RADIUS like any other
  expect(await t.db('radcheck').where({ username: 'gpapadopoulos', attribute: 'Cleartext-Password' }).first()).toBeDefined();
  await seedDemo(t.rt);
  expect(await t.db('customers').count({ n: '*' }).then((r) => Number(r[0].n))).toBe(4);
  expect(await t.db('plans').count({ n: '*' }).then((r) => Number(r[0].n))).toBe(3);
});
