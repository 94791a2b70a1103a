import type { Knex } from 'knex';

/** operators — sub-accounts (resellers, franchise operators) with a funds balance in cents. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('operators', (t) => {
    t.increments('id');
    t.string('name', 128).notNullable().unique();
    t.string('email', 191).nullable();
    t.string('phone', 32).nullable();
    t.string('status', 16).notNullable(); // active | suspended
    t.bigInteger('balance_cents').notNullable().defaultTo(0);
    t.dateTime('created_at').notNullable();
    t.dateTime('updated_at').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('operators');
}
