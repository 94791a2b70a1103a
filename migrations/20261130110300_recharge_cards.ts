import type { Knex } from 'knex';

/**
 * recharge_cards — one prepaid card: a printed serial and a PIN stored only as its SHA-256 hash. A card is redeemed
 * once (a conditional update from active to redeemed), crediting the subscriber's balance.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('recharge_cards', (t) => {
    t.increments('id');
    t.integer('batch_id').unsigned().notNullable().references('id').inTable('recharge_card_batches').onDelete('CASCADE');
    t.string('serial', 32).notNullable().unique();
    t.string('pin_hash', 64).notNullable().unique();
    t.bigInteger('value_cents').notNullable();
    t.string('status', 16).notNullable(); // active | redeemed | void
    t.integer('customer_id').unsigned().nullable();
    t.dateTime('redeemed_at').nullable();
    t.dateTime('created_at').notNullable();
    t.index(['batch_id']);
    t.index(['status']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('recharge_cards');
}
