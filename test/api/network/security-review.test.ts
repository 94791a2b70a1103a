import { makeTestApp, type TestApp } from '../../helpers/app';

let t: TestApp;
let planId: number;
beforeAll(async () => {
  t = await makeTestApp();
  planId = (await t.call('add_plan', { name: 'FTTH 100', download: '100M', upload: '10M', price: '25' })).data.id;
});
afterAll(async () => t.close());

/** 40 fields of 1000 Greek letters: 80 kB of UTF-8, past MariaDB's TEXT, under every per-field bound. */
function bigFields(prefix: string, n = 40): Record<string, string> {
  return Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, 'α'.repeat(1000)]));
}

test('custom_fields are bounded in count and size, on add and as edits add to them, alike on both databases', async () => {
  expect(await t.call('add', { username: 'cf1', password: 'pw', plan_id: planId, custom_fields: bigFields('f') }, { json: true })).toMatchObject({ ok: false, error: 'invalid_custom_fields' });
  expect(await t.db('customers').where({ username: 'cf1' }).first('id')).toBeUndefined();

  expect(await t.call('add', { username: 'cf2', password: 'pw', plan_id: planId, custom_fields: bigFields('a', 20) }, { json: true })).toMatchObject({ ok: true });
  // A second batch of 20 would make 40 kB of keys and 80 kB in all: refused, the first batch kept.
  expect(await t.call('edit', { username: 'cf2', custom_fields: bigFields('b', 20) }, { json: true })).toMatchObject({ ok: false, error: 'invalid_custom_fields' });
  const row = await t.db('customers').where({ username: 'cf2' }).first('custom_fields');
  expect(Object.keys(JSON.parse(row.custom_fields))).toHaveLength(20);

  const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
  expect(await t.call('add', { username: 'cf3', password: 'pw', plan_id: planId, custom_fields: many })).toMatchObject({ ok: false, error: 'invalid_custom_fields' });
});
