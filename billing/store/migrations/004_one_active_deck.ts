import type { Knex } from 'knex';

/**
 * At most one active version per rate deck name, enforced by the database: two imports switching
 * the same deck at once cannot both win (the second fails and can be retried). Partial unique
 * indexes work on SQLite and PostgreSQL alike.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw("CREATE UNIQUE INDEX rate_decks_one_active ON rate_decks (name) WHERE status = 'active'");
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS rate_decks_one_active');
}
