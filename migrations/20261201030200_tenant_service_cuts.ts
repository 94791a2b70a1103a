import type { Knex } from 'knex';

/**
 * In each tenant's database: the subscribers a tenant suspension with cut_service=1 suspended, so tenant_resume
 * lifts exactly those (and not a subscriber suspended for another reason). Goes with the subscriber.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('tenant_service_cuts', (t) => {
    t.integer('customer_id').unsigned().primary().references('customers.id').onDelete('CASCADE');
    t.dateTime('cut_at').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('tenant_service_cuts');
}
