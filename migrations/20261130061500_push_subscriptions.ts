import type { Knex } from 'knex';

/** push_subscriptions — a browser's Web Push subscription for an admin or a subscriber; removed on 404/410. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('push_subscriptions', (t) => {
    t.increments('id');
    t.string('owner_type', 16).notNullable();
    t.integer('owner_id').notNullable();
    t.string('endpoint_hash', 64).notNullable().unique();
    t.text('endpoint').notNullable();
    t.string('p256dh', 128).notNullable();
    t.string('auth', 64).notNullable();
    t.dateTime('created_at').notNullable();
    t.index(['owner_type', 'owner_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('push_subscriptions');
}
