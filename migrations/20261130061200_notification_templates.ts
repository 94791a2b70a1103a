import type { Knex } from 'knex';

/**
 * notification_templates — an operator's version of a template per language (el | en). Without a row the built-in
 * default applies. `enabled` switches the automatic send on the billing/ticket event the template belongs to.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('notification_templates', (t) => {
    t.increments('id');
    t.string('name', 64).notNullable();
    t.string('language', 2).notNullable();
    t.string('subject', 191).notNullable();
    t.text('body').notNullable();
    t.boolean('attach_invoice').notNullable().defaultTo(false);
    t.boolean('enabled').notNullable().defaultTo(false);
    t.dateTime('updated_at').notNullable();
    t.unique(['name', 'language']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('notification_templates');
}
