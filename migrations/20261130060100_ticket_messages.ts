import type { Knex } from 'knex';

/** ticket_messages — a ticket's thread. kind: message (the opening text) | reply (public) | note (internal). */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('ticket_messages', (t) => {
    t.increments('id');
    t.integer('ticket_id').unsigned().notNullable().references('tickets.id').onDelete('CASCADE');
    t.string('kind', 16).notNullable();
    t.text('body').notNullable();
    t.string('author_type', 16).notNullable();
    t.integer('author_admin_id').unsigned().nullable().references('admins.id').onDelete('SET NULL');
    t.string('author_name', 128).nullable();
    t.dateTime('created_at').notNullable();
    t.index(['ticket_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('ticket_messages');
}
