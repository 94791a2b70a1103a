import type { Knex } from 'knex';

/**
 * A suspension that cut the tenant's service (platform database): when it was asked for, and the job cutting or
 * restoring it, so tenant_get shows its progress and a resume does not race a cut still running.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('tenants', (t) => {
    t.dateTime('service_cut_at').nullable();
    t.string('service_job_id', 64).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('tenants', (t) => {
    t.dropColumns('service_cut_at', 'service_job_id');
  });
}
