import type { Knex } from 'knex';
import { reindexCustomerSearch } from '../src/services/network/customer-search';

/**
 * customer_search_terms: the word index behind subscriber search (src/services/network/customer-search.ts).
 * `search` used to be `LIKE '%…%'` over five columns, a scan of every subscriber (5 s at a million); it is now a
 * prefix range of this index. The primary key (term, customer_id) serves the range; (customer_id, term) checks a
 * query's further words per candidate and replaces a subscriber's terms. Terms are folded in code (case and accents
 * removed) and compared byte for byte (utf8mb4_bin), the same order on both engines. Existing subscribers are
 * indexed here.
 */
export async function up(knex: Knex): Promise<void> {
  const mysql = knex.client.config.client !== 'better-sqlite3';
  await knex.schema.createTable('customer_search_terms', (t) => {
    const term = t.string('term', 64).notNullable();
    if (mysql) term.collate('utf8mb4_bin');
    t.integer('customer_id').unsigned().notNullable().references('customers.id').onDelete('CASCADE');
    t.primary(['term', 'customer_id']);
    t.index(['customer_id', 'term'], 'customer_search_terms_customer_idx');
  });
  await reindexCustomerSearch(knex, { batch: 5000 });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('customer_search_terms');
}
