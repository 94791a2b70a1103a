import type { Knex } from 'knex';

/**
 * invoices (series, issue_date): before numbering a batch, generation (and every manual invoice) checks that the
 * series stays chronological with MAX(issue_date) of the series. Without this index that read walked every invoice
 * of the series, once per batch, so a month for 1,000,000 subscribers grew quadratically; with it the maximum is
 * one index step on both engines.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('invoices', (t) => t.index(['series', 'issue_date'], 'invoices_series_issue_date_idx'));
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('invoices', (t) => t.dropIndex(['series', 'issue_date'], 'invoices_series_issue_date_idx'));
}
