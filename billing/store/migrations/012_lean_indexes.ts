import type { Knex } from 'knex';

/**
 * The indexes every money move writes, cut to what the queries read (issue #16). A card's rows land
 * on a page of their own in each index keyed by card (cards are spread at random), so each such
 * index entry dirtied one more page per move, and on SQLite every dirty page is written to the WAL
 * at each COMMIT.
 * - `ledger_entries (card_id, id)`: gone. A card's entries are found through its postings
 *   (`postings (card_id)`: the card's history, `ledger verify`), never by the entry's own card_id.
 * - `postings (account)` held every card posting under `card:<id>`, which `postings (card_id)`
 *   already indexes. It keeps the other accounts (merchants' payables, income), partial on
 *   `card_id IS NULL`: a query by such an account says `card_id IS NULL` to use it.
 * - The holds' indexes serve the pending holds only, the only ones a query looks for by card,
 *   by expiry or by status (the card's spendable money, the sweeper, `ledger verify`, the pending
 *   gauge): `(card_id)` and `(expires_at_ms)` partial on `status = 'pending'`. A hold born captured
 *   (an authorization with `capture: true`) writes neither, and a capture or a void deletes its
 *   entries instead of moving them to another status. `(call_id)` leaves out the merchants' holds,
 *   which have none.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX ledger_entries_card_id_id_index');
  await knex.raw('DROP INDEX postings_account_index');
  await knex.raw('CREATE INDEX postings_non_card_account_index ON postings (account) WHERE card_id IS NULL');
  await knex.raw('DROP INDEX holds_card_id_status_index');
  await knex.raw("CREATE INDEX holds_pending_card_index ON holds (card_id) WHERE status = 'pending'");
  await knex.raw('DROP INDEX holds_status_expires_at_ms_index');
  await knex.raw("CREATE INDEX holds_pending_expiry_index ON holds (expires_at_ms) WHERE status = 'pending'");
  await knex.raw('DROP INDEX holds_call_id_index');
  await knex.raw('CREATE INDEX holds_call_index ON holds (call_id) WHERE call_id IS NOT NULL');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX holds_call_index');
  await knex.raw('CREATE INDEX holds_call_id_index ON holds (call_id)');
  await knex.raw('DROP INDEX holds_pending_expiry_index');
  await knex.raw('CREATE INDEX holds_status_expires_at_ms_index ON holds (status, expires_at_ms)');
  await knex.raw('DROP INDEX holds_pending_card_index');
  await knex.raw('CREATE INDEX holds_card_id_status_index ON holds (card_id, status)');
  await knex.raw('DROP INDEX postings_non_card_account_index');
  await knex.raw('CREATE INDEX postings_account_index ON postings (account)');
  await knex.raw('CREATE INDEX ledger_entries_card_id_id_index ON ledger_entries (card_id, id)');
}
