import type { Knex } from 'knex';

/**
 * invoice_lines — id, invoice_id → invoices.id (deleted with it), position (1-based order on the document),
 *   description, quantity (a whole number of units; a pro rata month is one line of quantity 1 whose price is
 *   the prorated amount), unit_price_cents (as entered: VAT-inclusive when the invoice's prices include VAT),
 *   vat_rate (percent: 24, 13, 6, 17, 9, 4 or 0), vat_exemption_code (myDATA vatExemptionCategory, only with 0%),
 *   net_cents, vat_cents (rounded per line), total_cents = net_cents + vat_cents.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('invoice_lines', (t) => {
    t.increments('id');
    t.integer('invoice_id').unsigned().notNullable().references('invoices.id').onDelete('CASCADE');
    t.integer('position').notNullable();
    t.string('description', 255).notNullable();
    t.integer('quantity').notNullable();
    t.bigInteger('unit_price_cents').notNullable();
    t.integer('vat_rate').notNullable();
    t.string('vat_exemption_code', 4).nullable();
    t.bigInteger('net_cents').notNullable();
    t.bigInteger('vat_cents').notNullable();
    t.bigInteger('total_cents').notNullable();
    t.index(['invoice_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('invoice_lines');
}
