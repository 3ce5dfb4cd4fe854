import type { Knex } from 'knex';

/**
 * Taking a card's place for a call (billing/calls/card-calls.ts) in ONE round trip on PostgreSQL,
 * so a login's claim can be group committed like the money moves instead of holding a pooled
 * connection for four round trips (BEGIN, lock, count-and-insert, COMMIT).
 *
 * A single SQL statement cannot do it: all of it runs in one snapshot, taken before the card's
 * lock is granted, so a place committed in between would not be counted. A PL/pgSQL function can:
 * it is VOLATILE, so each of its statements takes a fresh snapshot (READ COMMITTED), and the count
 * after the lock sees every place committed before it. The lock is taken now or never (SKIP
 * LOCKED): a group-committed statement must not wait on a row lock, so when another transaction
 * holds the card the function returns NULL, changes nothing, and the caller's general
 * transaction does the waiting. Returns -1 when the place is taken (or renewed), NULL when the
 * general path must decide, else how many other live places the card has (refused).
 * SQLite needs nothing: a statement costs no round trip there, and BEGIN IMMEDIATE serialises.
 */
export async function up(knex: Knex): Promise<void> {
  if (knex.client.config.client !== 'pg') return;
  await knex.raw(`CREATE FUNCTION claim_card_call(p_id varchar, p_card_id bigint, p_node_id varchar, p_channel_id varchar, p_now_ms bigint, p_expires_at_ms bigint, p_max_calls integer)
    RETURNS integer LANGUAGE plpgsql VOLATILE AS $$
    DECLARE in_use integer;
    BEGIN
      PERFORM 1 FROM cards WHERE id = p_card_id FOR UPDATE SKIP LOCKED;
      IF NOT FOUND THEN RETURN NULL; END IF;
      IF p_max_calls > 0 THEN
        SELECT COUNT(*) INTO in_use FROM card_calls WHERE card_id = p_card_id AND id <> p_id AND expires_at_ms > p_now_ms;
        IF in_use >= p_max_calls THEN RETURN in_use; END IF;
      END IF;
      INSERT INTO card_calls (id, card_id, node_id, channel_id, started_at_ms, expires_at_ms)
      VALUES (p_id, p_card_id, p_node_id, p_channel_id, p_now_ms, p_expires_at_ms)
      ON CONFLICT (id) DO UPDATE SET card_id = excluded.card_id, expires_at_ms = excluded.expires_at_ms;
      RETURN -1;
    END $$`);
}

export async function down(knex: Knex): Promise<void> {
  if (knex.client.config.client !== 'pg') return;
  await knex.raw('DROP FUNCTION IF EXISTS claim_card_call(varchar, bigint, varchar, varchar, bigint, bigint, integer)');
}
