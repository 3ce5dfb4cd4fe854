import type { Knex } from 'knex';

/**
 * Two ledger indexes that every money move wrote and no query read:
 * - `ledger_entries (card_id, id)`: a card's entries are found through its postings
 *   (`postings (card_id)`: the card's history, `ledger verify`), never by the entry's own card_id;
 * - `postings (account)` held every card posting under `card:<id>`, which `postings (card_id)`
 *   already indexes. It keeps the other accounts (merchants' payables, income), partial on
 *   `card_id IS NULL`: a query by such an account says `card_id IS NULL` to use it.
 * A card's postings land on a page of their own in each of these indexes (cards are spread at
 * random), so each move dirtied two more index pages, and on SQLite every dirty page is written to
 * the WAL at each COMMIT (bench/settlement measures it).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX ledger_entries_card_id_id_index');
  await knex.raw('DROP INDEX postings_account_index');
  await knex.raw('CREATE INDEX postings_non_card_account_index ON postings (account) WHERE card_id IS NULL');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX postings_non_card_account_index');
  await knex.raw('CREATE INDEX postings_account_index ON postings (account)');
  await knex.raw('CREATE INDEX ledger_entries_card_id_id_index ON ledger_entries (card_id, id)');
}
