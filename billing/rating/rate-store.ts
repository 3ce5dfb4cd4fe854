import type { Database, Sql } from '../store/sql/database';
import { assert } from '../shared/errors';
import { candidatePrefixes } from './deck';
import type { Rate } from './rate';
import { validateRate } from './rate';

export const DEFAULT_DECK = 'default';

interface RateRow {
  deck_id: number;
  currency: string;
  prefix: string;
  destination: string;
  rate_per_minute_scaled: number;
  connect_fee_minor: number;
  initial_increment_s: number;
  increment_s: number;
  min_charge_minor: number;
  blocked: number;
}

export interface RatedDestination extends Rate {
  deck_id: number;
  currency: string;
}

const toRate = (r: RateRow): RatedDestination => ({ ...r, blocked: r.blocked === 1 });

/** Longest-prefix match of `digits` (E.164 without '+') in the active deck `deck`. */
export async function lookupRate(q: Sql, digits: string, deck = DEFAULT_DECK): Promise<RatedDestination | undefined> {
  if (!/^\d{1,15}$/.test(digits)) return undefined;
  const prefixes = candidatePrefixes(digits);
  const row = await q.one<RateRow>(
    `SELECT r.deck_id, d.currency, r.prefix, r.destination, r.rate_per_minute_scaled, r.connect_fee_minor, r.initial_increment_s, r.increment_s, r.min_charge_minor, r.blocked
       FROM rates r JOIN rate_decks d ON d.id = r.deck_id
      WHERE d.name = ? AND d.status = 'active' AND r.prefix IN (${prefixes.map(() => '?').join(', ')})
      ORDER BY LENGTH(r.prefix) DESC LIMIT 1`,
    [deck, ...prefixes],
  );
  return row && toRate(row);
}

export interface DeckSummary { id: number; name: string; currency: string; status: string; row_count: number; activated_at_ms: number | null }

export async function activeDeck(q: Sql, name = DEFAULT_DECK): Promise<DeckSummary | undefined> {
  return q.one<DeckSummary>("SELECT id, name, currency, status, row_count, activated_at_ms FROM rate_decks WHERE name = ? AND status = 'active'", [name]);
}

export async function deckRates(q: Sql, deck_id: number): Promise<RatedDestination[]> {
  const rows = await q.all<RateRow>(
    'SELECT r.deck_id, d.currency, r.prefix, r.destination, r.rate_per_minute_scaled, r.connect_fee_minor, r.initial_increment_s, r.increment_s, r.min_charge_minor, r.blocked FROM rates r JOIN rate_decks d ON d.id = r.deck_id WHERE r.deck_id = ? ORDER BY r.prefix',
    [deck_id],
  );
  return rows.map(toRate);
}

/**
 * Loads a new version of deck `name` beside the live one (chunked transactions, invisible to
 * calls), then switches in ONE transaction: the old version is retired, the new one active.
 * Calls in flight keep the rate they snapshotted at start. Duplicate prefixes are rejected.
 * A carrier's buy deck is the same thing with `owner.carrier_id` set (see billing/carriers/carrier-deck.ts).
 */
export async function importDeck(
  db: Database, name: string, currency: string, rates: readonly Rate[], now_ms: number, onProgress?: (done: number) => void,
  owner: { carrier_id: number | null } = { carrier_id: null },
): Promise<DeckSummary> {
  const seen = new Set<string>();
  for (const r of rates) {
    validateRate(r);
    assert(!seen.has(r.prefix), `duplicate prefix ${r.prefix}`);
    seen.add(r.prefix);
  }
  const deck = await db.tx((q) => q.one<{ id: number }>(
    "INSERT INTO rate_decks (name, currency, status, row_count, created_at_ms, carrier_id) VALUES (?, ?, 'loading', ?, ?, ?) RETURNING id",
    [name, currency, rates.length, now_ms, owner.carrier_id],
  ));
  assert(deck, 'deck id');
  const CHUNK = 500;
  const sqlFor = (n: number) => `INSERT INTO rates (deck_id, prefix, destination, rate_per_minute_scaled, connect_fee_minor, initial_increment_s, increment_s, min_charge_minor, blocked) VALUES ${Array(n).fill('(?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`;
  for (let i = 0; i < rates.length; i += CHUNK * 20) {
    const slice = rates.slice(i, i + CHUNK * 20);
    await db.tx(async (q) => {
      for (let j = 0; j < slice.length; j += CHUNK) {
        const part = slice.slice(j, j + CHUNK);
        const params: Array<string | number> = [];
        for (const r of part) params.push(deck.id, r.prefix, r.destination, r.rate_per_minute_scaled, r.connect_fee_minor, r.initial_increment_s, r.increment_s, r.min_charge_minor, r.blocked ? 1 : 0);
        await q.run(sqlFor(part.length), params);
      }
    });
    onProgress?.(Math.min(rates.length, i + slice.length));
  }
  return db.tx(async (q) => {
    const loaded = await q.one<{ n: number }>('SELECT COUNT(*) AS n FROM rates WHERE deck_id = ?', [deck.id]);
    assert(Number(loaded?.n) === rates.length, 'every rate row loaded');
    await q.run("UPDATE rate_decks SET status = 'retired' WHERE name = ? AND status = 'active'", [name]);
    await q.run("UPDATE rate_decks SET status = 'active', activated_at_ms = ? WHERE id = ?", [now_ms, deck.id]);
    const s = await q.one<DeckSummary>('SELECT id, name, currency, status, row_count, activated_at_ms FROM rate_decks WHERE id = ?', [deck.id]);
    assert(s, 'deck summary');
    return s;
  });
}
