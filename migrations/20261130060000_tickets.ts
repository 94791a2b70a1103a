import type { Knex } from 'knex';

/**
 * tickets — helpdesk tickets. status: open | in_progress | waiting | resolved | closed; priority: low | normal |
 * high | urgent. A deleted subscriber leaves their tickets behind with customer_id NULL (anonymised), and a
 * deleted admin leaves theirs unassigned.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('tickets', (t) => {
    t.increments('id');
    t.integer('customer_id').unsigned().nullable().references('customers.id').onDelete('SET NULL');
    t.string('subject', 191).notNullable();
    t.string('status', 16).notNullable().defaultTo('open');
    t.string('priority', 16).notNullable().defaultTo('normal');
    t.string('category', 64).nullable();
    t.string('channel', 16).notNullable().defaultTo('api');
    t.integer('assigned_admin_id').unsigned().nullable().references('admins.id').onDelete('SET NULL');
    t.string('created_by', 128).nullable();
    t.dateTime('created_at').notNullable();
    t.dateTime('updated_at').notNullable();
    t.dateTime('resolved_at').nullable();
    t.dateTime('closed_at').nullable();
    t.index(['status']);
    t.index(['customer_id']);
    t.index(['assigned_admin_id']);
    t.index(['priority']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('tickets');
}
