import type { Knex } from 'knex';

/** recharge_card_batches — a print run of prepaid recharge cards of one value. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('recharge_card_batches', (t) => {
    t.increments('id');
    t.string('name', 128).notNullable();
    t.bigInteger('value_cents').notNullable();
    t.integer('quantity').unsigned().notNullable();
    t.date('expires_on').nullable();
    t.string('created_by', 128).nullable();
    t.dateTime('created_at').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('recharge_card_batches');
}
