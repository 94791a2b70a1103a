import type { Knex } from 'knex';

/**
 * Billing settings: one row (id = 1). Company details as printed on invoices and sent to myDATA (AFM, DOY,
 * address), VAT defaults, the billing cycle, dunning grace and the payment gateway credentials, sealed with the
 * app key as one JSON document (gateways_enc) and never returned by the API.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('billing_settings', (t) => {
    t.integer('id').primary();
    t.string('company_name', 191).nullable();
    t.string('company_afm', 9).nullable();
    t.string('company_doy', 100).nullable();
    t.string('company_address', 255).nullable();
    t.string('company_city', 100).nullable();
    t.string('company_postal_code', 10).nullable();
    t.string('company_email', 191).nullable();
    t.string('company_phone', 32).nullable();
    t.string('currency', 3).notNullable().defaultTo('EUR');
    t.integer('default_vat_rate').notNullable().defaultTo(24);
    // JSON array of the rates offered, a subset of 24/13/6/17/9/4/0.
    t.text('vat_rates').notNullable();
    // Retail plan prices in Greece are advertised with VAT included.
    t.boolean('prices_include_vat').notNullable().defaultTo(true);
    t.string('billing_cycle', 16).notNullable().defaultTo('monthly');
    t.integer('issue_day').notNullable().defaultTo(1);
    t.integer('due_days').notNullable().defaultTo(15);
    t.integer('grace_days').notNullable().defaultTo(10);
    t.string('default_series', 10).notNullable().defaultTo('A');
    t.text('gateways_enc').nullable();
    t.dateTime('updated_at').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('billing_settings');
}
