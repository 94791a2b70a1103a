import type { Knex } from 'knex';

/**
 * jobs — one row per piece of background work a caller asked for (a month's invoices, a plan's re-application, a
 * router's deprovisioning …). The row is the truth about the job whichever runner carries it (in process, or BullMQ
 * on Redis): `job_status` reads it, the runner claims it with a conditional update so one worker runs it at a time,
 * and a lease lets another worker take over a job whose worker died.
 * state: queued | running | completed | failed.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('jobs', (t) => {
    t.string('id', 36).primary();
    t.string('task', 64).notNullable();
    t.string('state', 16).notNullable();
    t.integer('progress_done').notNullable().defaultTo(0);
    t.integer('progress_total').notNullable().defaultTo(0);
    t.text('data').nullable();
    t.text('result').nullable();
    t.string('error_code', 64).nullable();
    t.text('error_message').nullable();
    t.integer('attempts').notNullable().defaultTo(0);
    t.integer('max_attempts').notNullable().defaultTo(3);
    // A second request for the same work (the same month, the same plan) finds the job already running.
    t.string('dedupe_key', 191).nullable().unique();
    t.string('created_by', 128).nullable();
    t.dateTime('run_after').notNullable();
    t.dateTime('lease_until').nullable();
    t.dateTime('created_at').notNullable();
    t.dateTime('started_at').nullable();
    t.dateTime('finished_at').nullable();
    t.dateTime('updated_at').notNullable();
    t.index(['state', 'run_after']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('jobs');
}
