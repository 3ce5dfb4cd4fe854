import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';

/**
 * The ceilings: the bare drivers, no abstraction. The BARE INDEXED LOOKUP is what one SQL statement
 * per ranking cannot beat — every deck's rows whose prefix is a prefix of the number, found on the
 * (deck_id, prefix) primary key (`deck_id IN (…) AND prefix IN (…)`), prepared once; no carriers,
 * no longest-match, no ranking. The BARE CHECK is the one statement our in-memory index runs per
 * ranking (one primary-key read of routing_epoch): the floor of its database work.
 */
export interface Figures { per_s: number; p50_ms: number; p99_ms: number; n: number }

export function figures(latencies_ns: Float64Array, wall_ns: number): Figures {
  const sorted = Float64Array.from(latencies_ns).sort();
  const at = (q: number) => (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number) / 1e6;
  return { per_s: latencies_ns.length / (wall_ns / 1e9), p50_ms: at(0.5), p99_ms: at(0.99), n: latencies_ns.length };
}

const candidatePrefixes = (n: string) => Array.from({ length: Math.min(15, n.length) }, (_, i) => n.slice(0, n.length - i));

export const LOOKUP_SQL = (decks: number, prefixes: number, ph: (i: number) => string) =>
  `SELECT deck_id, prefix, rate_per_minute_scaled, connect_fee_minor, initial_increment_s, increment_s, blocked FROM rates
    WHERE deck_id IN (${Array.from({ length: decks }, (_, i) => ph(i)).join(', ')}) AND prefix IN (${Array.from({ length: prefixes }, (_, i) => ph(decks + i)).join(', ')})`;

export const CHECK_SQL = 'SELECT epoch FROM routing_epoch WHERE id = 1';

/** Every number has the same length, so one prepared statement serves all. */
export function rawSqlite(file: string, what: 'lookup' | 'check', deckIds: number[], numbers: string[], count: number): Figures {
  const db = new BetterSqlite3(file, { readonly: true });
  const len = (numbers[0] as string).length;
  const stmt = db.prepare(what === 'lookup' ? LOOKUP_SQL(deckIds.length, Math.min(15, len), () => '?') : CHECK_SQL);
  const lat = new Float64Array(count);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    const s = process.hrtime.bigint();
    if (what === 'lookup') stmt.all(...deckIds, ...candidatePrefixes(numbers[i % numbers.length] as string));
    else stmt.all();
    lat[i] = Number(process.hrtime.bigint() - s);
  }
  const wall = Number(process.hrtime.bigint() - t0);
  db.close();
  return figures(lat, wall);
}

export async function rawPg(url: string, what: 'lookup' | 'check', deckIds: number[], numbers: string[], count: number, concurrency: number): Promise<Figures> {
  const pool = new pg.Pool({ connectionString: url, max: concurrency });
  const len = (numbers[0] as string).length;
  const text = what === 'lookup' ? LOOKUP_SQL(deckIds.length, Math.min(15, len), (i) => `$${i + 1}`) : CHECK_SQL;
  const lat = new Float64Array(count);
  let next = 0;
  const worker = async () => {
    const c = await pool.connect();
    try {
      for (;;) {
        const i = next++;
        if (i >= count) return;
        const s = process.hrtime.bigint();
        const values = what === 'lookup' ? [...deckIds, ...candidatePrefixes(numbers[i % numbers.length] as string)] : [];
        await c.query({ name: `raw_${what}`, text, values });
        lat[i] = Number(process.hrtime.bigint() - s);
      }
    } finally {
      c.release();
    }
  };
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wall = Number(process.hrtime.bigint() - t0);
  await pool.end();
  return figures(lat, wall);
}
