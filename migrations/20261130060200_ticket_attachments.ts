import type { Knex } from 'knex';

/** ticket_attachments — files sent with a ticket or a reply; the bytes live under DATA_DIR/tickets/<tenant>/. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('ticket_attachments', (t) => {
    t.increments('id');
    t.integer('ticket_id').unsigned().notNullable().references('tickets.id').onDelete('CASCADE');
    t.integer('message_id').unsigned().nullable().references('ticket_messages.id').onDelete('CASCADE');
    t.string('filename', 191).notNullable();
    t.string('mime_type', 64).notNullable();
    t.integer('size').unsigned().notNullable();
    t.string('sha256', 64).notNullable();
    t.string('path', 255).notNullable();
    t.dateTime('created_at').notNullable();
    t.index(['ticket_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('ticket_attachments');
}
