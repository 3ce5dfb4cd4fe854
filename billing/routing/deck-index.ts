import { assert } from '../shared/errors';
import type { Sql } from '../store/sql/database';
import type { PrefixMatch } from './route-types';

/** Longest prefix a deck may hold (E.164 numbers have at most 15 digits). */
const MAX_LEN = 15;

/** One prefix length's rows, sorted by the prefix's numeric value, column by column (compact: ~29 bytes a row). */
interface Bucket {
  keys: Float64Array;
  rate: Float64Array;
  connect: Float64Array;
  initial: Uint16Array;
  increment: Uint16Array;
  blocked: Uint8Array;
}

/**
 * The numeric key of every prefix of a dialled number, by length: keys[L] = the first L digits
 * as a number. Prefixes of one length compare like their numbers, so each length is its own sorted
 * array and a lookup is a binary search per length present in the deck, longest first.
 */
export function prefixKeys(digits: string): number[] {
  const keys: number[] = [0];
  const n = Math.min(digits.length, MAX_LEN);
  for (let L = 1; L <= n; L++) keys.push(Number(digits.slice(0, L)));
  return keys;
}

function search(keys: Float64Array, key: number): number {
  let lo = 0;
  let hi = keys.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const k = keys[mid] as number;
    if (k === key) return mid;
    if (k < key) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/**
 * An immutable in-memory copy of ONE deck version (deck versions never change once loaded, so a
 * copy keyed by the deck id is never stale — only which version is active can change).
 */
export class DeckIndex {
  constructor(readonly deck_id: number, readonly currency: string, private readonly buckets: ReadonlyArray<Bucket | undefined>, readonly size: number) {}

  /** The longest prefix of `digits` in this deck; `keys` = prefixKeys(digits). */
  match(digits: string, keys: readonly number[]): PrefixMatch | undefined {
    for (let L = keys.length - 1; L >= 1; L--) {
      const b = this.buckets[L];
      if (!b) continue;
      const i = search(b.keys, keys[L] as number);
      if (i < 0) continue;
      return {
        prefix: digits.slice(0, L), rate_per_minute_scaled: b.rate[i] as number, connect_fee_minor: b.connect[i] as number,
        initial_increment_s: b.initial[i] as number, increment_s: b.increment[i] as number, blocked: b.blocked[i] === 1,
      };
    }
    return undefined;
  }
}

export interface IndexRow {
  prefix: string;
  rate_per_minute_scaled: number;
  connect_fee_minor: number;
  initial_increment_s: number;
  increment_s: number;
  blocked: number | boolean;
}

/** One prefix length's columns while loading (plain arrays; packed into a Bucket at the end). */
interface Growing { keys: number[]; rate: number[]; connect: number[]; initial: number[]; increment: number[]; blocked: number[] }

/** Collects rows in any order, then packs each prefix length into sorted typed arrays. */
export class DeckIndexBuilder {
  private readonly growing: Array<Growing | undefined> = [];
  private count = 0;

  constructor(readonly deck_id: number, readonly currency: string) {}

  add(r: IndexRow): void {
    const L = r.prefix.length;
    assert(L >= 1 && L <= MAX_LEN && /^\d+$/.test(r.prefix), 'a deck prefix is 1 to 15 digits');
    let g = this.growing[L];
    if (!g) {
      g = { keys: [], rate: [], connect: [], initial: [], increment: [], blocked: [] };
      this.growing[L] = g;
    }
    g.keys.push(Number(r.prefix));
    g.rate.push(Number(r.rate_per_minute_scaled));
    g.connect.push(Number(r.connect_fee_minor));
    g.initial.push(Number(r.initial_increment_s));
    g.increment.push(Number(r.increment_s));
    g.blocked.push(r.blocked === true || Number(r.blocked) === 1 ? 1 : 0);
    this.count++;
  }

  finish(): DeckIndex {
    const buckets: Array<Bucket | undefined> = [];
    for (let L = 0; L <= MAX_LEN; L++) {
      const g = this.growing[L];
      if (!g) continue;
      const n = g.keys.length;
      // Rows usually arrive sorted (ORDER BY prefix: equal lengths compare like numbers); sort otherwise.
      let order: number[] | undefined;
      for (let i = 1; i < n; i++) {
        if ((g.keys[i - 1] as number) >= (g.keys[i] as number)) {
          order = Array.from({ length: n }, (_, k) => k).sort((x, y) => (g.keys[x] as number) - (g.keys[y] as number));
          break;
        }
      }
      const at = (i: number) => (order ? (order[i] as number) : i);
      const b: Bucket = {
        keys: new Float64Array(n), rate: new Float64Array(n), connect: new Float64Array(n),
        initial: new Uint16Array(n), increment: new Uint16Array(n), blocked: new Uint8Array(n),
      };
      for (let i = 0; i < n; i++) {
        const j = at(i);
        b.keys[i] = g.keys[j] as number;
        assert(i === 0 || (b.keys[i] as number) > (b.keys[i - 1] as number), 'each prefix once per deck');
        b.rate[i] = g.rate[j] as number;
        b.connect[i] = g.connect[j] as number;
        b.initial[i] = g.initial[j] as number;
        b.increment[i] = g.increment[j] as number;
        b.blocked[i] = g.blocked[j] as number;
      }
      buckets[L] = b;
    }
    return new DeckIndex(this.deck_id, this.currency, buckets, this.count);
  }
}

/** Rows per page while loading a deck (keyset pagination on the (deck_id, prefix) key). */
const PAGE = 20_000;

/** Loads deck version `deck` into memory; checks every row of it arrived. */
export async function loadDeckIndex(q: Sql, deck: { id: number; currency: string; row_count: number }): Promise<DeckIndex> {
  const builder = new DeckIndexBuilder(deck.id, deck.currency);
  let after = '';
  const maxPages = Math.ceil(deck.row_count / PAGE) + 1;
  for (let page = 0; page < maxPages; page++) {
    const rows = await q.all<IndexRow>(
      'SELECT prefix, rate_per_minute_scaled, connect_fee_minor, initial_increment_s, increment_s, blocked FROM rates WHERE deck_id = ? AND prefix > ? ORDER BY prefix LIMIT ?',
      [deck.id, after, PAGE],
    );
    for (const r of rows) builder.add(r);
    if (rows.length < PAGE) break;
    after = (rows[rows.length - 1] as IndexRow).prefix;
  }
  const index = builder.finish();
  assert(index.size === Number(deck.row_count), `deck ${deck.id}: loaded ${index.size} of ${deck.row_count} rows`);
  return index;
}
