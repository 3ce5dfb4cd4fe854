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

/** Collects rows in any order, then packs each prefix length into sorted typed arrays. */
export class DeckIndexBuilder {
  private readonly rows: IndexRow[][] = Array.from({ length: MAX_LEN + 1 }, () => []);
  private count = 0;

  constructor(readonly deck_id: number, readonly currency: string) {}

  add(r: IndexRow): void {
    assert(/^\d{1,15}$/.test(r.prefix), 'a deck prefix is 1 to 15 digits');
    (this.rows[r.prefix.length] as IndexRow[]).push(r);
    this.count++;
  }

  finish(): DeckIndex {
    const buckets = this.rows.map((rows): Bucket | undefined => {
      if (!rows.length) return undefined;
      const keyed = rows.map((r) => ({ key: Number(r.prefix), r }));
      let sorted = true;
      for (let i = 1; i < keyed.length && sorted; i++) sorted = (keyed[i - 1] as { key: number }).key < (keyed[i] as { key: number }).key;
      if (!sorted) keyed.sort((a, b) => a.key - b.key);
      const n = keyed.length;
      const b: Bucket = {
        keys: new Float64Array(n), rate: new Float64Array(n), connect: new Float64Array(n),
        initial: new Uint16Array(n), increment: new Uint16Array(n), blocked: new Uint8Array(n),
      };
      keyed.forEach(({ key, r }, i) => {
        assert(i === 0 || key !== b.keys[i - 1], 'each prefix once per deck');
        b.keys[i] = key;
        b.rate[i] = Number(r.rate_per_minute_scaled);
        b.connect[i] = Number(r.connect_fee_minor);
        b.initial[i] = Number(r.initial_increment_s);
        b.increment[i] = Number(r.increment_s);
        b.blocked[i] = r.blocked === true || Number(r.blocked) === 1 ? 1 : 0;
      });
      return b;
    });
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
