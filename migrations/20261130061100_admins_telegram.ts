import type { Knex } from 'knex';

/** An admin's Telegram chat for notifications, as on customers (see 20261130061000). */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('admins', (t) => {
    t.string('telegram_chat_id', 64).nullable();
    t.dateTime('telegram_blocked_at').nullable();
    t.string('notify_channels', 32).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('admins', (t) => {
    t.dropColumn('telegram_chat_id');
    t.dropColumn('telegram_blocked_at');
    t.dropColumn('notify_channels');
  });
}
