import type { Knex } from 'knex';

/**
 * voip_devices — what mor_provisioning created on MOR for a subscriber: the SIP device (its credentials sealed with
 * the app key, shown once) and an optional DID. state: active | incomplete (a step failed and MOR offers no call to
 * undo what was created; `remains` lists it for an operator).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('voip_devices', (t) => {
    t.increments('id');
    t.integer('customer_id').unsigned().notNullable();
    t.integer('mor_user_id').unsigned().nullable();
    t.string('mor_device_id', 32).nullable();
    t.string('sip_username', 64).nullable();
    t.text('sip_password_sealed').nullable();
    t.string('did', 32).nullable();
    t.string('mor_did_id', 32).nullable();
    t.string('state', 16).notNullable();
    t.text('remains').nullable();
    t.dateTime('created_at').notNullable();
    t.dateTime('updated_at').notNullable();
    t.index(['customer_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('voip_devices');
}
