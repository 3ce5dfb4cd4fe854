import { carrierFromRow } from '../carriers/carrier-store';
import type { CarrierRow } from '../carriers/carrier-store';
import { candidatePrefixes } from '../rating/deck';
import { DEFAULT_DECK } from '../rating/rate-store';
import type { Sql } from '../store/sql/database';
import type { PrefixMatch, RouteFacts, RouteLookup } from './route-types';

interface FactRow extends Partial<CarrierRow> {
  carrier_id: number | null;
  currency: string | null;
  prefix: string | null;
  rate_per_minute_scaled: number | null;
  connect_fee_minor: number | null;
  initial_increment_s: number | null;
  increment_s: number | null;
  blocked: number | null;
}

const CARRIER_FIELDS = ['name', 'sip_uri', 'transport', 'tech_prefix', 'send_plus', 'max_concurrent', 'cps', 'sources_json', 'enabled', 'priority', 'allow_loss'] as const;
const RATE_FIELDS = 'r.prefix, r.rate_per_minute_scaled, r.connect_fee_minor, r.initial_increment_s, r.increment_s, r.blocked';

/** The facts of one ranking in ONE statement (one snapshot on both databases): the sell deck's matches, and every carrier with its active buy deck's matches. */
function factsSql(n: number): string {
  const marks = Array(n).fill('?').join(', ');
  return `SELECT NULL AS carrier_id, ${CARRIER_FIELDS.map((f) => `NULL AS ${f}`).join(', ')}, d.currency, ${RATE_FIELDS}
            FROM rate_decks d JOIN rates r ON r.deck_id = d.id
           WHERE d.name = ? AND d.carrier_id IS NULL AND d.status = 'active' AND r.prefix IN (${marks})
          UNION ALL
          SELECT c.id, ${CARRIER_FIELDS.map((f) => `c.${f}`).join(', ')}, d.currency, ${RATE_FIELDS}
            FROM carriers c
            LEFT JOIN rate_decks d ON d.carrier_id = c.id AND d.status = 'active'
            LEFT JOIN rates r ON r.deck_id = d.id AND r.prefix IN (${marks})`;
}

const matchOf = (r: FactRow): PrefixMatch => ({
  prefix: r.prefix as string,
  rate_per_minute_scaled: Number(r.rate_per_minute_scaled), connect_fee_minor: Number(r.connect_fee_minor),
  initial_increment_s: Number(r.initial_increment_s), increment_s: Number(r.increment_s), blocked: Number(r.blocked) === 1,
});

const longer = (a: PrefixMatch | undefined, b: PrefixMatch): PrefixMatch => (a && a.prefix.length >= b.prefix.length ? a : b);

/**
 * Ranking facts straight from the database, one statement per ranking (`prefix IN (…)` on the
 * (deck_id, prefix) primary key). Nothing cached: right for one-shot processes (`prepaid routes
 * show`) and the reference the in-memory index is checked against.
 */
export class SqlRouteLookup implements RouteLookup {
  constructor(private readonly q: Sql, private readonly sellDeck = DEFAULT_DECK) {}

  async facts(digits: string): Promise<RouteFacts> {
    const prefixes = candidatePrefixes(digits);
    const rows = await this.q.all<FactRow>(factsSql(prefixes.length), [this.sellDeck, ...prefixes, ...prefixes]);
    let sell: (PrefixMatch & { currency: string }) | undefined;
    const carriers = new Map<number, { row: FactRow; buy: PrefixMatch | undefined }>();
    for (const r of rows) {
      if (r.carrier_id === null) {
        const m = matchOf(r);
        if (longer(sell, m) === m) sell = { ...m, currency: r.currency as string };
        continue;
      }
      const id = Number(r.carrier_id);
      const entry = carriers.get(id) ?? { row: r, buy: undefined };
      if (r.prefix !== null) entry.buy = longer(entry.buy, matchOf(r));
      carriers.set(id, entry);
    }
    return {
      sell,
      carriers: [...carriers.entries()].sort((a, b) => a[0] - b[0]).map(([id, { row, buy }]) => ({
        carrier: carrierFromRow({ ...(row as CarrierRow), id }),
        currency: row.currency,
        buy,
      })),
    };
  }
}
