import type { Knex } from 'knex';

/**
 * invoice_reminders — one row per invoice and reminder stage ('due_in:3', 'overdue:1', 'suspension_in:2'), written
 * in the same transaction as the notification it queued. The unique key is what makes a reminder go out once
 * however often the scheduler ticks and however many instances tick at once.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('invoice_reminders', (t) => {
    t.increments('id');
    t.integer('invoice_id').unsigned().notNullable().references('invoices.id').onDelete('CASCADE');
    t.string('stage', 32).notNullable();
    t.integer('notification_id').unsigned().nullable();
    t.dateTime('created_at').notNullable();
    t.unique(['invoice_id', 'stage'], { indexName: 'invoice_reminders_stage_unique' });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('invoice_reminders');
}
