import type { Carrier } from '../carriers/carrier';
import { carrierFromRow } from '../carriers/carrier-store';
import type { CarrierRow } from '../carriers/carrier-store';
import { DEFAULT_DECK } from '../rating/rate-store';
import type { Sql } from '../store/sql/database';
import { CoalescedRefresh } from './coalesced-refresh';
import type { DeckIndex } from './deck-index';
import { loadDeckIndex, prefixKeys } from './deck-index';
import type { RouteFacts, RouteLookup } from './route-types';

/** What one ranking reads: the active sell deck and every carrier with its active buy deck, all in memory. */
interface Snapshot {
  /** `carrier:version:deck` for the sell deck (carrier 0) and every carrier: equal signatures, same state. */
  signature: string;
  sell: DeckIndex | undefined;
  carriers: ReadonlyArray<{ carrier: Carrier; deck: DeckIndex | undefined }>;
}

interface CheckRow { carrier_id: number; version: number; deck_id: number | null }
interface StateRow extends CheckRow, Partial<Omit<CarrierRow, 'id' | 'version'>> { currency: string | null; row_count: number | null }

/** The cheap check, one statement: which deck versions are active, and each carrier's version (a handful of rows). */
const CHECK_SQL = `SELECT 0 AS carrier_id, 0 AS version, d.id AS deck_id FROM rate_decks d WHERE d.name = ? AND d.carrier_id IS NULL AND d.status = 'active'
  UNION ALL
  SELECT c.id, c.version, d.id FROM carriers c LEFT JOIN rate_decks d ON d.carrier_id = c.id AND d.status = 'active'
  ORDER BY 1`;

const CARRIER_FIELDS = ['name', 'sip_uri', 'transport', 'tech_prefix', 'send_plus', 'max_concurrent', 'cps', 'sources_json', 'enabled', 'priority', 'allow_loss'] as const;

/** The same, with everything a snapshot needs (read when the check says something changed). */
const STATE_SQL = `SELECT 0 AS carrier_id, 0 AS version, d.id AS deck_id, d.currency, d.row_count, ${CARRIER_FIELDS.map((f) => `NULL AS ${f}`).join(', ')}
    FROM rate_decks d WHERE d.name = ? AND d.carrier_id IS NULL AND d.status = 'active'
  UNION ALL
  SELECT c.id, c.version, d.id, d.currency, d.row_count, ${CARRIER_FIELDS.map((f) => `c.${f}`).join(', ')}
    FROM carriers c LEFT JOIN rate_decks d ON d.carrier_id = c.id AND d.status = 'active'
  ORDER BY 1`;

const signatureOf = (rows: readonly CheckRow[]): string => rows.map((r) => `${Number(r.carrier_id)}:${Number(r.version)}:${r.deck_id === null ? '-' : Number(r.deck_id)}`).join(',');

export interface IndexedRouteLookupOptions {
  sellDeck?: string;
  /** Rankings that may wait for one deck check at once (beyond: rate_limited). */
  maxWaiting?: number;
  /** Longest a deck check may take, including loading a new deck version into memory. */
  timeout_ms?: number;
}

/**
 * Ranking facts from an in-memory index of the ACTIVE deck versions (sell deck and every carrier's
 * buy deck), kept exact across processes: before each ranking, one cheap statement (CHECK_SQL,
 * shared by the rankings that arrive together) says which deck versions are active and each
 * carrier's version. When it differs from what is in memory, the new state is read and any new
 * deck version loaded before the ranking answers. So a ranking always uses ONE whole state that
 * was current after it was asked — the old decks, then the new ones, never a mix of one deck's
 * versions, and never older than the last switch committed before the call.
 * Deck versions are immutable once active, so a loaded version is never stale.
 */
export class IndexedRouteLookup implements RouteLookup {
  private snapshot: Snapshot | undefined;
  private installed = 0;
  private started = 0;
  private readonly decks = new Map<number, Promise<DeckIndex>>();
  private readonly gate: CoalescedRefresh<Snapshot>;
  private readonly sellDeck: string;

  constructor(private readonly q: Sql, options: IndexedRouteLookupOptions = {}) {
    this.sellDeck = options.sellDeck ?? DEFAULT_DECK;
    this.gate = new CoalescedRefresh(() => this.refresh(), { maxWaiting: options.maxWaiting ?? 10_000, timeout_ms: options.timeout_ms ?? 30_000 });
  }

  /** Loads the active decks now (e.g. at process start) rather than on the first ranking. */
  async warm(): Promise<void> {
    await this.gate.next();
  }

  async facts(digits: string): Promise<RouteFacts> {
    const snap = await this.gate.next();
    const keys = prefixKeys(digits);
    const sell = snap.sell?.match(digits, keys);
    return {
      sell: sell && { ...sell, currency: (snap.sell as DeckIndex).currency },
      carriers: snap.carriers.map(({ carrier, deck }) => ({
        carrier,
        currency: deck ? deck.currency : null,
        buy: carrier.enabled && deck ? deck.match(digits, keys) : undefined,
      })),
    };
  }

  private async refresh(): Promise<Snapshot> {
    const seq = ++this.started;
    const check = await this.q.all<CheckRow>(CHECK_SQL, [this.sellDeck]);
    if (this.snapshot && this.snapshot.signature === signatureOf(check)) return this.snapshot;
    const rows = await this.q.all<StateRow>(STATE_SQL, [this.sellDeck]);
    const deckOf = (r: StateRow) => (r.deck_id === null ? Promise.resolve(undefined) : this.deck({ id: Number(r.deck_id), currency: r.currency as string, row_count: Number(r.row_count) }));
    const sellRow = rows.find((r) => Number(r.carrier_id) === 0);
    const carrierRows = rows.filter((r) => Number(r.carrier_id) !== 0);
    // One deck at a time: bounded memory and connections while a large deck loads.
    const sell = sellRow ? await deckOf(sellRow) : undefined;
    const carriers: Array<{ carrier: Carrier; deck: DeckIndex | undefined }> = [];
    for (const r of carrierRows) {
      const carrier = Object.freeze(carrierFromRow({ ...(r as unknown as CarrierRow), id: Number(r.carrier_id) }));
      Object.freeze(carrier.sources);
      carriers.push({ carrier, deck: await deckOf(r) });
    }
    const snap: Snapshot = { signature: signatureOf(rows), sell, carriers };
    // A refresh abandoned after a timeout may finish late: never install an older state over a newer one.
    if (seq > this.installed) {
      this.installed = seq;
      this.snapshot = snap;
      const live = new Set([sell?.deck_id, ...carriers.map((c) => c.deck?.deck_id)]);
      for (const id of this.decks.keys()) if (!live.has(id)) this.decks.delete(id);
    }
    return snap;
  }

  private deck(d: { id: number; currency: string; row_count: number }): Promise<DeckIndex> {
    let p = this.decks.get(d.id);
    if (!p) {
      p = loadDeckIndex(this.q, d);
      this.decks.set(d.id, p);
      p.catch(() => this.decks.delete(d.id));
    }
    return p;
  }
}
