import type { Knex } from 'knex';

/**
 * Site (issue #13): a buyer's own card can be revealed once through a one-time link in the receipt
 * (like a gift's claim link), so closing the tab no longer loses the card. Only the link token's keyed
 * hash is stored (unique, for the lookup) with its expiry; the token itself is sealed with the card's
 * secrets and erased with them on the reveal. A gift names its sender (`sender_name`, shown in the mail).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('orders', (t) => {
    t.string('sender_name', 100).nullable();
    t.string('reveal_token_hash', 64).nullable();
    t.bigInteger('reveal_expires_at_ms').nullable();
  });
  await knex.raw('CREATE UNIQUE INDEX orders_reveal_token_hash ON orders (reveal_token_hash)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS orders_reveal_token_hash');
  // Plain ALTER TABLE … DROP COLUMN (SQLite ≥ 3.35 and PostgreSQL): knex's SQLite emulation copies
  // the table, which the foreign key from mail_outbox forbids.
  for (const c of ['reveal_expires_at_ms', 'reveal_token_hash', 'sender_name']) await knex.raw(`ALTER TABLE orders DROP COLUMN ${c}`);
}
