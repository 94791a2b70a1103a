import type { Knex } from 'knex';

/**
 * sms_messages — every SMS sent through the HTTP SMS gateway: written as pending before the gateway is called
 * (outside any transaction), then sent/delivered/failed with the provider's id, credits and last error. A row
 * left pending (gateway down) is retried by its job.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('sms_messages', (t) => {
    t.increments('id');
    t.string('phone', 32).notNullable();
    t.text('message').notNullable();
    t.string('status', 16).notNullable(); // pending | sending | queued (accepted by the gateway) | sent | delivered | failed
    t.string('provider_id', 128).nullable();
    t.integer('credits_used').nullable();
    t.integer('attempts').unsigned().notNullable().defaultTo(0);
    t.string('last_error', 255).nullable();
    t.string('batch', 64).nullable();
    t.string('created_by', 128).nullable();
    t.dateTime('created_at').notNullable();
    t.dateTime('sent_at').nullable();
    t.index(['status']);
    t.index(['batch']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('sms_messages');
}
