import type { Knex } from 'knex';

/**
 * `claim_card_call` (migration 011) takes the card's lock of billing/cards/card-lock.ts — the
 * advisory lock keyed by the card's id, now or not at all — instead of the card's row lock: every
 * transaction writing a card or its holds now takes that lock, and a group-committed statement
 * holding a row lock without it would make the others wait. Same answers as before: NULL when
 * another transaction holds the card (the general transaction, claimCardCall, then waits for it).
 */
const claim = (lock: string) => `CREATE OR REPLACE FUNCTION claim_card_call(p_id varchar, p_card_id bigint, p_node_id varchar, p_channel_id varchar, p_now_ms bigint, p_expires_at_ms bigint, p_max_calls integer)
    RETURNS integer LANGUAGE plpgsql VOLATILE AS $$
    DECLARE in_use integer;
    BEGIN
      ${lock}
      IF p_max_calls > 0 THEN
        SELECT COUNT(*) INTO in_use FROM card_calls WHERE card_id = p_card_id AND id <> p_id AND expires_at_ms > p_now_ms;
        IF in_use >= p_max_calls THEN RETURN in_use; END IF;
      END IF;
      INSERT INTO card_calls (id, card_id, node_id, channel_id, started_at_ms, expires_at_ms)
      VALUES (p_id, p_card_id, p_node_id, p_channel_id, p_now_ms, p_expires_at_ms)
      ON CONFLICT (id) DO UPDATE SET card_id = excluded.card_id, expires_at_ms = excluded.expires_at_ms;
      RETURN -1;
    END $$`;

export async function up(knex: Knex): Promise<void> {
  if (knex.client.config.client !== 'pg') return;
  await knex.raw(claim('IF NOT pg_try_advisory_xact_lock(p_card_id) THEN RETURN NULL; END IF;'));
}

export async function down(knex: Knex): Promise<void> {
  if (knex.client.config.client !== 'pg') return;
  await knex.raw(claim('PERFORM 1 FROM cards WHERE id = p_card_id FOR UPDATE SKIP LOCKED;\n      IF NOT FOUND THEN RETURN NULL; END IF;'));
}
