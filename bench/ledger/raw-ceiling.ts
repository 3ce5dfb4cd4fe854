import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';

/**
 * The ceiling: the same rows written by the bare drivers with no abstraction — one hold
 * transaction (reserve on the card row, insert the hold) and one capture transaction (release,
 * entry, two postings, balance, hold status) — so the ratio shows what our layers cost.
 */
export function rawSqlitePairs(file: string, cardIds: number[], pairs: number, synchronous: 'NORMAL' | 'FULL' = 'NORMAL'): number {
  const db = new BetterSqlite3(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  const reserve = db.prepare('UPDATE cards SET pending_minor = pending_minor + ? WHERE id = ? AND balance_minor - pending_minor >= ?');
  const insHold = db.prepare("INSERT INTO holds (id, card_id, kind, currency, amount_minor, status, expires_at_ms, created_at_ms, updated_at_ms) VALUES (?, ?, 'merchant', 'USD', ?, 'pending', ?, ?, ?)");
  const release = db.prepare('UPDATE cards SET pending_minor = pending_minor - ? WHERE id = ?');
  const entry = db.prepare("INSERT INTO ledger_entries (kind, card_id, hold_id, created_at_ms) VALUES ('capture', ?, ?, ?) RETURNING id");
  const postings = db.prepare('INSERT INTO postings (entry_id, account, card_id, amount_minor, currency) VALUES (?, ?, ?, ?, ?), (?, ?, ?, ?, ?)');
  const balance = db.prepare('UPDATE cards SET balance_minor = balance_minor + ? WHERE id = ?');
  const holdDone = db.prepare("UPDATE holds SET status = 'captured', captured_minor = ?, updated_at_ms = ? WHERE id = ?");
  const hold = db.transaction((id: string, card: number, now: number) => {
    reserve.run(1, card, 1);
    insHold.run(id, card, 1, now + 60_000, now, now);
  });
  const capture = db.transaction((id: string, card: number, now: number) => {
    release.run(1, card);
    const e = entry.get(card, id, now) as { id: number };
    postings.run(e.id, `card:${card}`, card, -1, 'USD', e.id, 'merchant:1:payable', null, 1, 'USD');
    balance.run(-1, card);
    holdDone.run(1, now, id);
  });
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < pairs; i++) {
    const card = cardIds[i % cardIds.length] as number;
    const id = `raw_${synchronous}_${i}`;
    hold(id, card, Date.now());
    capture(id, card, Date.now());
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  db.close();
  return (pairs * 2) / s;
}

export async function rawPgPairs(url: string, cardIds: number[], pairs: number, concurrency: number): Promise<number> {
  const pool = new pg.Pool({ connectionString: url, max: concurrency });
  let next = 0;
  const worker = async () => {
    const c = await pool.connect();
    try {
      for (;;) {
        const i = next++;
        if (i >= pairs) return;
        const card = cardIds[i % cardIds.length] as number;
        const id = `raw_${i}`;
        const now = Date.now();
        await c.query('BEGIN');
        await c.query('UPDATE cards SET pending_minor = pending_minor + $1 WHERE id = $2 AND balance_minor - pending_minor >= $1', [1, card]);
        await c.query("INSERT INTO holds (id, card_id, kind, currency, amount_minor, status, expires_at_ms, created_at_ms, updated_at_ms) VALUES ($1, $2, 'merchant', 'USD', 1, 'pending', $3, $4, $4)", [id, card, now + 60_000, now]);
        await c.query('COMMIT');
        await c.query('BEGIN');
        await c.query('SELECT id FROM holds WHERE id = $1 FOR UPDATE', [id]);
        await c.query('UPDATE cards SET pending_minor = pending_minor - 1 WHERE id = $1', [card]);
        const e = await c.query("INSERT INTO ledger_entries (kind, card_id, hold_id, created_at_ms) VALUES ('capture', $1, $2, $3) RETURNING id", [card, id, now]);
        const eid = e.rows[0].id as string;
        await c.query("INSERT INTO postings (entry_id, account, card_id, amount_minor, currency) VALUES ($1, $2, $3, -1, 'USD'), ($1, 'merchant:1:payable', NULL, 1, 'USD')", [eid, `card:${card}`, card]);
        await c.query('UPDATE cards SET balance_minor = balance_minor - 1 WHERE id = $1', [card]);
        await c.query("UPDATE holds SET status = 'captured', captured_minor = 1, updated_at_ms = $1 WHERE id = $2", [now, id]);
        await c.query('COMMIT');
      }
    } finally {
      c.release();
    }
  };
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  await pool.end();
  return (pairs * 2) / s;
}
