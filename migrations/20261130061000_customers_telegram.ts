import type { Knex } from 'knex';

/**
 * Notification addresses of a subscriber: the Telegram chat (telegram_blocked_at is set when the bot was blocked,
 * so a later send skips it instead of retrying forever) and the channels they prefer for channel=all
 * (comma-separated telegram,email,push; NULL = every channel they have an address for).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('customers', (t) => {
    t.string('telegram_chat_id', 64).nullable();
    t.dateTime('telegram_blocked_at').nullable();
    t.string('notify_channels', 32).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('customers', (t) => {
    t.dropColumn('telegram_chat_id');
    t.dropColumn('telegram_blocked_at');
    t.dropColumn('notify_channels');
  });
}
