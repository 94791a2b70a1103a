import type { Knex } from 'knex';

/**
 * Per-subscriber billing: whether and how often they are billed, their VAT regime (null = the default rate,
 * 0 with a myDATA exemption code), how they pay (gateway + the gateway's saved customer and method ids, which
 * are references, not card data) and where the invoice goes. suspended_by_billing records that dunning, not an
 * operator, suspended the line, so that paying the balance lifts only that suspension.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('billing_customers', (t) => {
    t.integer('customer_id').unsigned().primary().references('customers.id').onDelete('CASCADE');
    t.string('billing_cycle', 16).notNullable().defaultTo('monthly');
    t.integer('vat_rate').nullable();
    t.string('vat_exemption_code', 4).nullable();
    t.string('payment_method', 16).nullable();
    t.string('gateway_customer_ref', 191).nullable();
    t.string('payment_method_ref', 191).nullable();
    t.boolean('auto_charge').notNullable().defaultTo(false);
    t.string('invoice_email', 191).nullable();
    t.string('series', 10).nullable();
    t.boolean('suspended_by_billing').notNullable().defaultTo(false);
    t.dateTime('created_at').notNullable();
    t.dateTime('updated_at').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('billing_customers');
}
