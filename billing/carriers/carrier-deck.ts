import type { Rate } from '../rating/rate';
import type { DeckSummary } from '../rating/rate-store';
import { activeDeck, importDeck } from '../rating/rate-store';
import type { Database, Sql } from '../store/sql/database';

/**
 * A carrier's buy deck is a rate deck like the sell decks — same columns, same CSV, same versioned
 * import with its atomic switch — named `carrier:<id>` and marked with `rate_decks.carrier_id`.
 * A blocked row means the carrier does not terminate that destination.
 */
export const carrierDeckName = (carrier_id: number): string => `carrier:${carrier_id}`;

/** Sell-deck names may not take this form (the CLI refuses them). */
export const isCarrierDeckName = (name: string): boolean => /^carrier:/i.test(name);

export function importCarrierDeck(db: Database, carrier_id: number, currency: string, rates: readonly Rate[], now_ms: number, onProgress?: (done: number) => void): Promise<DeckSummary> {
  return importDeck(db, carrierDeckName(carrier_id), currency, rates, now_ms, onProgress, { carrier_id });
}

export function activeCarrierDeck(q: Sql, carrier_id: number): Promise<DeckSummary | undefined> {
  return activeDeck(q, carrierDeckName(carrier_id));
}

/** Every version of a carrier's buy deck, newest first. */
export function carrierDeckVersions(q: Sql, carrier_id: number): Promise<DeckSummary[]> {
  return q.all<DeckSummary>('SELECT id, name, currency, status, row_count, activated_at_ms FROM rate_decks WHERE carrier_id = ? ORDER BY id DESC', [carrier_id]);
}
