import type { Knex } from 'knex';

/**
 * FreeRADIUS's stock post-auth query writes the subscriber's cleartext password into radpostauth.pass. The
 * database blanks it on the way in, so no FreeRADIUS configuration (ours or a customer's own) can leave
 * passwords in an auth log that support staff read.
 */
export async function up(knex: Knex): Promise<void> {
  if (knex.client.config.client === 'mysql2' || knex.client.config.client === 'mysql') {
    await knex.raw(`CREATE TRIGGER radpostauth_no_password BEFORE INSERT ON radpostauth FOR EACH ROW SET NEW.pass = ''`);
    await knex.raw(`CREATE TRIGGER radpostauth_no_password_upd BEFORE UPDATE ON radpostauth FOR EACH ROW SET NEW.pass = ''`);
  } else {
    // SQLite cannot assign NEW in a BEFORE trigger; blank the row right after it lands, in the same statement.
    await knex.raw(`CREATE TRIGGER radpostauth_no_password AFTER INSERT ON radpostauth FOR EACH ROW WHEN NEW.pass <> ''
      BEGIN UPDATE radpostauth SET pass = '' WHERE id = NEW.id; END`);
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER IF EXISTS radpostauth_no_password');
  await knex.raw('DROP TRIGGER IF EXISTS radpostauth_no_password_upd');
}
