import type { Knex } from 'knex';

/**
 * One submission per invoice and document kind (the invoice itself, later its credit note). The unique
 * key is what makes two concurrent submits converge on one row; `lock_token`/`locked_until` is the
 * lease taken with a conditional UPDATE (works the same on SQLite and MariaDB) while the provider call
 * runs outside any transaction. `xml` keeps the exact document sent, the legal record.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('einvoice_submissions', (t) => {
    t.increments('id');
    // No foreign key: the billing tables are another area's migration; the service checks existence.
    t.integer('invoice_id').unsigned().notNullable();
    t.string('kind', 16).notNullable().defaultTo('invoice');
    t.string('provider', 16).notNullable();
    t.string('document_type', 8).nullable();
    t.string('status', 16).notNullable().defaultTo('pending');
    t.string('mark', 24).nullable();
    t.string('uid', 64).nullable();
    t.string('qr_url', 1024).nullable();
    t.string('cancellation_mark', 24).nullable();
    t.string('provider_ref', 64).nullable();
    t.text('errors').nullable();
    t.text('xml', 'mediumtext').nullable();
    t.integer('attempts').unsigned().notNullable().defaultTo(0);
    t.string('lock_token', 36).nullable();
    t.dateTime('locked_until').nullable();
    t.dateTime('submitted_at').nullable();
    t.dateTime('cancelled_at').nullable();
    t.dateTime('created_at').notNullable();
    t.dateTime('updated_at').notNullable();
    t.unique(['invoice_id', 'kind']);
    t.index(['status']);
    t.index(['mark']);
  });
  await knex.schema.createTable('einvoice_attempts', (t) => {
    t.bigIncrements('id');
    t.integer('submission_id').unsigned().notNullable().references('einvoice_submissions.id').onDelete('CASCADE');
    t.string('operation', 16).notNullable();
    t.string('provider', 16).notNullable();
    t.string('outcome', 24).notNullable();
    t.string('status_code', 32).nullable();
    t.string('error_code', 64).nullable();
    t.text('detail').nullable();
    t.dateTime('created_at').notNullable();
    t.index(['submission_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('einvoice_attempts');
  await knex.schema.dropTableIfExists('einvoice_submissions');
}
