import type { Knex } from 'knex';

/**
 * A credit note is its own document in Greek books: its own series (per document kind), a gap-free number
 * taken from `invoice_series` when the credit note is created, and its own issue date. They are kept on the
 * submission so every retry (and a lost-reply recovery, which searches myDATA by series, number and date)
 * sends the same document. The unique key is the last guard against one number given twice.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('einvoice_submissions', (t) => {
    t.string('series', 10).nullable();
    t.integer('number').unsigned().nullable();
    t.date('issue_date').nullable();
    t.unique(['series', 'number']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('einvoice_submissions', (t) => {
    t.dropUnique(['series', 'number']);
    t.dropColumn('issue_date');
    t.dropColumn('number');
    t.dropColumn('series');
  });
}
