import type { Knex } from 'knex';

/**
 * A device MAC address belongs to one subscriber: a unique index (NULLs allowed, on both dialects) replaces the
 * plain one, so two requests racing past the service's check cannot both store it. Existing duplicates are named
 * and the migration stops, rather than pick a subscriber to take the address from.
 */
export async function up(knex: Knex): Promise<void> {
  const dups = await knex('customers').whereNotNull('mac_address').groupBy('mac_address').having(knex.raw('count(*) > 1')).select('mac_address').limit(20);
  if (dups.length) {
    throw new Error(
      `Cannot make customers.mac_address unique: these addresses belong to more than one subscriber: ${dups.map((d) => d.mac_address).join(', ')}. ` +
        'Clear or correct them (edit mac_address=) and run the migration again.',
    );
  }
  await knex.schema.alterTable('customers', (t) => {
    t.dropIndex(['mac_address']);
    t.unique(['mac_address']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('customers', (t) => {
    t.dropUnique(['mac_address']);
    t.index(['mac_address']);
  });
}
