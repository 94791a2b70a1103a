import type { Knex } from 'knex';

/**
 * invoices — one row per invoice. Money in integer cents; dates are DATE strings 'YYYY-MM-DD'.
 *   id, customer_id → customers.id, series + number (unique together, gap-free per series),
 *   issue_date, due_date, period ('YYYY-MM' for a monthly invoice, null for a manual one; unique per customer,
 *   which is what makes generate_invoices_month idempotent), currency ('EUR'),
 *   net_cents + vat_cents = total_cents (sums of the lines), paid_cents (0 … total_cents),
 *   status: 'unpaid' | 'paid' | 'overdue' | 'cancelled' (partly paid stays unpaid/overdue with paid_cents > 0),
 *   rf_code (ISO 11649, unique, for DIAS), source ('monthly' | 'manual'), notes,
 *   einvoice_status: null | 'pending' | 'submitted' | 'cancelled' (written by the e-invoicing area; once not null
 *   the invoice cannot be deleted), einvoice_mark (myDATA MARK), paid_at, created_at, updated_at.
 * invoice_lines — see the next migration.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('invoices', (t) => {
    t.increments('id');
    t.integer('customer_id').unsigned().notNullable().references('customers.id').onDelete('RESTRICT');
    t.string('series', 10).notNullable();
    t.integer('number').notNullable();
    t.date('issue_date').notNullable();
    t.date('due_date').notNullable();
    t.string('period', 7).nullable();
    t.string('currency', 3).notNullable().defaultTo('EUR');
    t.bigInteger('net_cents').notNullable();
    t.bigInteger('vat_cents').notNullable();
    t.bigInteger('total_cents').notNullable();
    t.bigInteger('paid_cents').notNullable().defaultTo(0);
    t.string('status', 16).notNullable().defaultTo('unpaid');
    t.string('rf_code', 25).notNullable().unique();
    t.string('source', 16).notNullable().defaultTo('manual');
    t.string('notes', 500).nullable();
    t.string('einvoice_status', 16).nullable();
    t.string('einvoice_mark', 32).nullable();
    t.dateTime('paid_at').nullable();
    t.dateTime('created_at').notNullable();
    t.dateTime('updated_at').notNullable();
    t.unique(['series', 'number']);
    t.unique(['customer_id', 'period']);
    t.index(['status', 'due_date']);
    t.index(['period']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('invoices');
}
