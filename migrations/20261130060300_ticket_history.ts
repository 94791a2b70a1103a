import type { Knex } from 'knex';

/** ticket_history — every change to a ticket: who (admin id and name), what (field, old, new), when. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('ticket_history', (t) => {
    t.increments('id');
    t.integer('ticket_id').unsigned().notNullable().references('tickets.id').onDelete('CASCADE');
    t.string('field', 32).notNullable();
    t.string('old_value', 191).nullable();
    t.string('new_value', 191).nullable();
    t.string('actor_type', 16).notNullable();
    t.integer('actor_admin_id').nullable();
    t.string('actor_name', 128).nullable();
    t.dateTime('created_at').notNullable();
    t.index(['ticket_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('ticket_history');
}
