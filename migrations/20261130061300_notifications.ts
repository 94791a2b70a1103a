import type { Knex } from 'knex';

/**
 * notifications — one send_notification (or one automatic event notice). status: queued | sending | completed |
 * partial | failed. `target` keeps how the recipients were chosen, for the record.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('notifications', (t) => {
    t.increments('id');
    t.string('channel', 16).notNullable();
    t.string('template', 64).nullable();
    t.string('subject', 191).nullable();
    t.text('body').notNullable();
    t.text('variables').nullable();
    t.text('target').notNullable();
    t.boolean('bulk').notNullable().defaultTo(false);
    t.string('status', 16).notNullable().defaultTo('queued');
    t.integer('recipients_total').notNullable().defaultTo(0);
    t.string('job_id', 36).nullable();
    t.string('created_by', 128).nullable();
    t.dateTime('created_at').notNullable();
    t.dateTime('finished_at').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('notifications');
}
