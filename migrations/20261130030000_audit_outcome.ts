import type { Knex } from 'knex';

/**
 * The audit row is written before a write action runs (the action does not run when it cannot be written) and
 * completed afterwards: `outcome` is `started` until then, `ok` or the error code after.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('audit_log', (t) => {
    t.string('outcome', 64).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('audit_log', (t) => {
    t.dropColumn('outcome');
  });
}
