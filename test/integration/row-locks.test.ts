import { makeTestApp, type TestApp } from '../helpers/app';
import { forUpdate } from '../../src/db/knex';
import { takeNumbers } from '../../src/services/billing/invoices';

/**
 * Row locks (SELECT … FOR UPDATE) guard invoice numbering, payments and settings. On MariaDB they run for
 * real here, with transactions that overlap; SQLite has no row locks: its one pooled connection serialises
 * every writer, which is what this file checks there, and says so.
 */
let t: TestApp;
beforeAll(async () => { t = await makeTestApp(); });
afterAll(async () => t?.close());

test('overlapping transactions take distinct, gap-free invoice numbers', async () => {
  if (t.dialect === 'sqlite') {
    console.info('row-locks: SQLite has no row locks; FOR UPDATE is left out and the single pooled connection serialises writers (checked below). The lock paths run for real with TEST_DATABASE=mysql.');
    expect((t.db.client as { pool: { max: number } }).pool.max).toBe(1);
    expect(forUpdate(t.db, t.db('invoice_series').where({ code: 'A' })).toString().toLowerCase()).not.toContain('for update');
  } else {
    expect(forUpdate(t.db, t.db('invoice_series').where({ code: 'A' })).toString().toLowerCase()).toContain('for update');
  }
  await t.db.transaction((trx) => takeNumbers(trx, 'LCK', 1));
  const firsts = await Promise.all(
    Array.from({ length: 6 }, (_, i) =>
      t.db.transaction(async (trx) => {
        const first = await takeNumbers(trx, 'LCK', i + 1);
        // hold the lock a little while the others queue behind it
        await trx.raw('select 1');
        return { first, count: i + 1 };
      }),
    ),
  );
  const taken = firsts.flatMap(({ first, count }) => Array.from({ length: count }, (_, k) => first + k)).sort((a, b) => a - b);
  expect(taken).toEqual(Array.from({ length: 21 }, (_, k) => k + 2));
  expect(await t.db('invoice_series').where({ code: 'LCK' }).first()).toMatchObject({ next_number: 23 });
});
