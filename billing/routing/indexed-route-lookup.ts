import type { Carrier } from '../carriers/carrier';
import { carrierFromRow } from '../carriers/carrier-store';
import type { CarrierRow } from '../carriers/carrier-store';
import { DEFAULT_DECK } from '../rating/rate-store';
import type { Database } from '../store/sql/database';
import { CoalescedRefresh } from './coalesced-refresh';
import type { DeckIndex } from './deck-index';
import { loadDeckIndex, prefixKeys } from './deck-index';
import { EpochWatch } from './epoch-watch';
import type { RouteFacts, RouteLookup } from './route-types';

/** What one ranking reads: the active sell deck and every carrier with its active buy deck, all in memory. */
interface Snapshot {
  /** routing_epoch when this state was read (read BEFORE the state: a change in between shows as a newer epoch next time). */
  epoch: number;
  sell: DeckIndex | undefined;
  carriers: ReadonlyArray<{ carrier: Carrier; deck: DeckIndex | undefined }>;
}

interface StateRow extends Partial<Omit<CarrierRow, 'id'>> { carrier_id: number; deck_id: number | null; currency: string | null; row_count: number | null }

/** The cheap check: one row the database bumps (triggers, migration 005) on any change to carriers or rate decks. */
const EPOCH_SQL = 'SELECT epoch FROM routing_epoch WHERE id = 1';

const CARRIER_FIELDS = ['name', 'sip_uri', 'transport', 'tech_prefix', 'send_plus', 'max_concurrent', 'cps', 'sources_json', 'enabled', 'priority', 'allow_loss'] as const;

/** Everything a snapshot needs, in one statement (one consistent view): the active sell deck (carrier 0) and every carrier with its active buy deck. */
const STATE_SQL = `SELECT 0 AS carrier_id, d.id AS deck_id, d.currency, d.row_count, ${CARRIER_FIELDS.map((f) => `NULL AS ${f}`).join(', ')}
    FROM rate_decks d WHERE d.name = ? AND d.carrier_id IS NULL AND d.status = 'active'
  UNION ALL
  SELECT c.id, d.id, d.currency, d.row_count, ${CARRIER_FIELDS.map((f) => `c.${f}`).join(', ')}
    FROM carriers c LEFT JOIN rate_decks d ON d.carrier_id = c.id AND d.status = 'active'
  ORDER BY 1`;

export interface IndexedRouteLookupOptions {
  sellDeck?: string;
  /** Rankings that may wait for one deck check at once (beyond: rate_limited). */
  maxWaiting?: number;
  /** Longest a deck check may take, including loading a new deck version into memory. */
  timeout_ms?: number;
  /**
   * 'notify' (default): where the database can LISTEN (PostgreSQL), trust its NOTIFY of the epoch and
   * skip the per-ranking check while the listen connection is up — a change is seen once its
   * notification arrives (normally within a millisecond of the commit). 'check': read the epoch before
   * every ranking — a change committed before a ranking was asked is always seen.
   */
  freshness?: 'notify' | 'check';
}

/**
 * Ranking facts from an in-memory index of the ACTIVE deck versions (sell deck and every carrier's
 * buy deck), kept exact across processes: before each ranking, one primary-key read of
 * routing_epoch (shared by the rankings that arrive together) says whether anything about carriers
 * or decks changed in ANY process — or, on PostgreSQL, the epoch NOTIFY says so without asking.
 * When it did, the state is read again (one statement) and any new deck version loaded before the
 * ranking answers. So a ranking always uses ONE whole state — the old decks, then the new ones,
 * never a mix of one deck's versions, never back — and (freshness 'check') never older than the
 * last change committed before it was asked, or (freshness 'notify') than the last one notified.
 * Deck versions are immutable once active, so a loaded version is never stale.
 */
export class IndexedRouteLookup implements RouteLookup {
  private snapshot: Snapshot | undefined;
  private installed = 0;
  private started = 0;
  private readonly decks = new Map<number, Promise<DeckIndex>>();
  private readonly gate: CoalescedRefresh<Snapshot>;
  private readonly sellDeck: string;
  private readonly watch: EpochWatch | undefined;

  constructor(private readonly q: Database, options: IndexedRouteLookupOptions = {}) {
    this.sellDeck = options.sellDeck ?? DEFAULT_DECK;
    this.gate = new CoalescedRefresh(() => this.refresh(), { maxWaiting: options.maxWaiting ?? 10_000, timeout_ms: options.timeout_ms ?? 30_000 });
    if ((options.freshness ?? 'notify') === 'notify' && q.listen) this.watch = new EpochWatch(q, () => this.readEpoch());
  }

  /** Loads the active decks now (e.g. at process start) rather than on the first ranking. */
  async warm(): Promise<void> {
    this.watch?.start();
    await this.gate.next();
  }

  async facts(digits: string): Promise<RouteFacts> {
    this.watch?.start();
    // Listening (PostgreSQL) and nothing notified since the snapshot: no database round trip at all.
    const known = this.watch?.epoch;
    const current = this.snapshot;
    const snap = known !== undefined && current !== undefined && current.epoch >= known ? current : await this.gate.next();
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

  private async readEpoch(): Promise<number> {
    return Number((await this.q.one<{ epoch: number }>(EPOCH_SQL))?.epoch);
  }

  private async refresh(): Promise<Snapshot> {
    const seq = ++this.started;
    const epoch = await this.readEpoch();
    if (this.snapshot && this.snapshot.epoch === epoch) return this.snapshot;
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
    const snap: Snapshot = { epoch, sell, carriers };
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
