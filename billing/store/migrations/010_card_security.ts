import type { Knex } from 'knex';

/**
 * Card security (issue #13, auth):
 * - PIN lockout escalation: `cards.pin_lockouts` counts the lockouts since the last correct PIN
 *   (each lasts longer); `cards.pin_blocked_at_ms` is set when the card stays PIN-locked until an
 *   operator unlocks it (`prepaid cards unlock`). Both columns are added with constant defaults,
 *   which SQLite and PostgreSQL (11+) do without rewriting the table.
 * - Simultaneous calls per card: `card_calls` holds one row per phone session that is using a
 *   card (from login to hang-up), written by the IVR process driving it; the limit is checked
 *   under the card's row lock. A row lives while its process renews `expires_at_ms`, so the calls
 *   of a process that died stop counting on their own.
 * Raw ALTER TABLE for the columns (both databases support ADD/DROP COLUMN), so that SQLite keeps
 * its table instead of knex rebuilding it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE cards ADD COLUMN pin_lockouts INTEGER NOT NULL DEFAULT 0');
  await knex.raw('ALTER TABLE cards ADD COLUMN pin_blocked_at_ms BIGINT NULL');
  await knex.schema.createTable('card_calls', (t) => {
    t.string('id', 120).primary(); // <ivr node id>:<inbound channel id>
    t.bigInteger('card_id').notNullable().references('id').inTable('cards');
    t.string('node_id', 16).notNullable();
    t.string('channel_id', 100).notNullable();
    t.bigInteger('started_at_ms').notNullable();
    t.bigInteger('expires_at_ms').notNullable();
    t.index(['card_id', 'expires_at_ms']);
    t.index(['node_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('card_calls');
  await knex.raw('ALTER TABLE cards DROP COLUMN pin_blocked_at_ms');
  await knex.raw('ALTER TABLE cards DROP COLUMN pin_lockouts');
}
