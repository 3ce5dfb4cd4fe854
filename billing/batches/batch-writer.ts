import type { SecretHasher } from '../cards/secrets';
import { FUNDING_SALES } from '../ledger/accounts';
import { assert, BillingError } from '../shared/errors';
import type { Database, Sql, SqlValue } from '../store/sql/database';
import type { BatchCard, BatchSpec, BatchSummary } from './batch-card';
import { expiresAtMs } from './batch-card';
import { batchByName } from './batches';

/**
 * Writes a whole batch of cards in ONE transaction, fast: rows go in by prepared multi-row INSERTs
 * with their ids chosen up front, balances already set, and the value booked as ONE ledger entry
 * (kind `issue`): one posting per card plus one funding posting for the total — the same books
 * `postEntry` would write, without one UPDATE per card. Nothing of a failed batch remains.
 */
export interface WriteBatchOptions {
  /** Cards of the batch, chunk by chunk; the batch id is known once the batch row exists. */
  cards: (batch_id: number) => AsyncIterable<BatchCard[]> | Iterable<BatchCard[]>;
  /** Called with each chunk once it is in the transaction (the generator writes its CSV lines here). */
  onChunk?: (cards: readonly BatchCard[]) => Promise<void> | void;
  /** Called after the last chunk, before COMMIT (the generator flushes its CSV to disk here). */
  beforeCommit?: () => Promise<void>;
  onProgress?: (done: number) => void;
  /** Runs in the transaction once the batch is written (the CLI records the operator event here). */
  onWritten?: (q: Sql, batch: BatchSummary) => Promise<void>;
  /**
   * A card whose number is already issued: return a replacement (generation draws a new number)
   * or throw (import: the file is wrong).
   */
  onTakenNumber: (card: BatchCard) => BatchCard;
}

const ROWS_PER_INSERT = 500;
const CARD_COLUMNS = '(id, number_hash, pin_hash, last4, serial, batch_id, currency, status, expiry_kind, expiry_days, expires_at_ms, activated_at_ms, created_at_ms, balance_minor, pending_minor, pin_failures)';
const CARD_PARAMS = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0)';
const POSTING_PARAMS = '(?, ?, ?, ?, ?)';

const sqlCache = new Map<string, string>();
function multiInsert(head: string, tuple: string, n: number): string {
  const key = `${head}|${n}`;
  let sql = sqlCache.get(key);
  if (!sql) {
    sql = `${head} VALUES ${Array(n).fill(tuple).join(', ')}`;
    sqlCache.set(key, sql);
  }
  return sql;
}

/** Ids for `n` new cards, reserved inside the transaction. */
async function reserveCardIds(q: Sql, n: number, state: { next: number }): Promise<number[]> {
  if (q.dialect === 'pg') {
    const rows = await q.all<{ id: number }>("SELECT nextval(pg_get_serial_sequence('cards', 'id')) AS id FROM generate_series(1, ?)", [n]);
    return rows.map((r) => Number(r.id));
  }
  // SQLite: BEGIN IMMEDIATE makes this the only writer, so the ids after the current maximum are ours.
  const ids = Array.from({ length: n }, (_, i) => state.next + i);
  state.next += n;
  return ids;
}

async function sqliteNextId(q: Sql): Promise<number> {
  const max = await q.one<{ m: number | null }>('SELECT MAX(id) AS m FROM cards');
  const seq = await q.one<{ seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'cards'").catch(() => undefined);
  return Math.max(Number(max?.m ?? 0), Number(seq?.seq ?? 0)) + 1;
}

/** Hashes of `hashes` already in the cards table. */
async function takenHashes(q: Sql, hashes: readonly string[]): Promise<Set<string>> {
  const rows = await q.all<{ number_hash: string }>(`SELECT number_hash FROM cards WHERE number_hash IN (${hashes.map(() => '?').join(', ')})`, hashes);
  return new Set(rows.map((r) => r.number_hash));
}

async function takenSerials(q: Sql, serials: readonly string[]): Promise<Set<string>> {
  const rows = await q.all<{ serial: string }>(`SELECT serial FROM cards WHERE serial IN (${serials.map(() => '?').join(', ')})`, serials);
  return new Set(rows.map((r) => r.serial));
}

export class SerialTakenError extends BillingError {
  constructor(readonly card: BatchCard) {
    super('validation_error', `serial ${card.serial} is already used by another card`);
  }
}

export async function writeBatch(db: Database, hasher: SecretHasher, now_ms: number, spec: BatchSpec, opts: WriteBatchOptions): Promise<BatchSummary> {
  return db.tx(async (q) => {
    if (await batchByName(q, spec.name)) throw new BillingError('invalid_state', `batch "${spec.name}" already exists`);
    const batch = await q.one<{ id: number }>(
      'INSERT INTO batches (name, currency, value_minor, card_count, created_at_ms, status, source, total_minor, actor) VALUES (?, ?, ?, 0, ?, ?, ?, 0, ?) RETURNING id',
      [spec.name, spec.currency, spec.value_minor, now_ms, spec.status, spec.source, spec.actor],
    );
    assert(batch, 'batch id');
    const entry = await q.one<{ id: number }>(
      "INSERT INTO ledger_entries (kind, card_id, hold_id, reference, reason, actor, created_at_ms) VALUES ('issue', NULL, NULL, ?, ?, ?, ?) RETURNING id",
      [`batch:${spec.name}`, `card batch ${spec.name} (${spec.source})`, spec.actor, now_ms],
    );
    assert(entry, 'entry id');

    // On SQLite this transaction is the only writer: when the table starts empty, the in-memory
    // distinctness of the generator is the whole story and the per-chunk lookups can be skipped.
    // PostgreSQL always looks (other processes issue cards meanwhile); the UNIQUE index is the last word.
    const idState = { next: q.dialect === 'sqlite' ? await sqliteNextId(q) : 0 };
    const startedEmpty = q.dialect === 'sqlite' && !(await q.one('SELECT id FROM cards LIMIT 1'));
    const activated = spec.status === 'active' ? now_ms : null;
    let count = 0;
    let total = 0;

    for await (const chunk of opts.cards(batch.id)) {
      if (chunk.length === 0) continue;
      const cards = [...chunk];
      const hashes = cards.map((c) => hasher.cardNumber(c.number));
      if (!startedEmpty) {
        const serials = await takenSerials(q, cards.map((c) => c.serial));
        const clash = cards.find((c) => serials.has(c.serial));
        if (clash) throw new SerialTakenError(clash);
        for (let round = 0; ; round++) {
          assert(round < 20, 'bounded search for free card numbers');
          const taken = await takenHashes(q, hashes);
          if (taken.size === 0) break;
          for (let i = 0; i < cards.length; i++) {
            if (!taken.has(hashes[i] as string)) continue;
            cards[i] = opts.onTakenNumber(cards[i] as BatchCard);
            hashes[i] = hasher.cardNumber((cards[i] as BatchCard).number);
          }
        }
      }
      const ids = await reserveCardIds(q, cards.length, idState);
      for (let start = 0; start < cards.length; start += ROWS_PER_INSERT) {
        const end = Math.min(cards.length, start + ROWS_PER_INSERT);
        const cardParams: SqlValue[] = [];
        const postingParams: SqlValue[] = [];
        for (let i = start; i < end; i++) {
          const c = cards[i] as BatchCard;
          const id = ids[i] as number;
          const h = hashes[i] as string;
          assert(Number.isSafeInteger(c.value_minor) && c.value_minor > 0, 'card value is a positive integer');
          cardParams.push(id, h, hasher.pin(h, c.pin), c.number.slice(-4), c.serial, batch.id, spec.currency, spec.status,
            c.expiry.kind, c.expiry.days ?? null, expiresAtMs(c.expiry, spec.status, now_ms), activated, now_ms, c.value_minor);
          postingParams.push(entry.id, `card:${id}`, id, c.value_minor, spec.currency);
          total += c.value_minor;
        }
        await q.run(multiInsert(`INSERT INTO cards ${CARD_COLUMNS}`, CARD_PARAMS, end - start), cardParams);
        await q.run(multiInsert('INSERT INTO postings (entry_id, account, card_id, amount_minor, currency)', POSTING_PARAMS, end - start), postingParams);
      }
      count += cards.length;
      await opts.onChunk?.(cards);
      opts.onProgress?.(count);
    }
    if (count === 0) throw new BillingError('validation_error', 'a batch needs at least one card');
    assert(Number.isSafeInteger(total), 'batch total fits');
    await q.run('INSERT INTO postings (entry_id, account, card_id, amount_minor, currency) VALUES (?, ?, NULL, ?, ?)', [entry.id, FUNDING_SALES, -total, spec.currency]);
    await q.run('UPDATE batches SET card_count = ?, total_minor = ?, entry_id = ? WHERE id = ?', [count, total, entry.id, batch.id]);
    const summary = await batchByName(q, spec.name);
    assert(summary && summary.card_count === count, 'batch summary');
    await opts.onWritten?.(q, summary);
    await opts.beforeCommit?.();
    return summary;
  });
}
