import { setTimeout as sleep } from 'node:timers/promises';
import type { SecretHasher } from '../cards/secrets';
import { FUNDING_SALES } from '../ledger/accounts';
import { assert, BillingError } from '../shared/errors';
import type { Database, Sql, SqlValue } from '../store/sql/database';
import type { BatchCard, BatchSpec, BatchSummary } from './batch-card';
import { expiresAtMs } from './batch-card';
import { discardStagedBatch } from './batch-discard';
import { batchByName } from './batches';
import { fixedSlices, SliceSizer } from './slice-sizer';

/**
 * Writes a batch of cards without ever holding the write lock for long, and all or nothing as seen
 * by everyone else:
 * 1. the batch row is created with status `loading` — no lookup finds a card of a loading batch
 *    (billing/cards/card-rows.ts);
 * 2. cards go in by SLICES of `slice_rows`, each its own short transaction: prepared multi-row
 *    INSERTs with ids chosen up front, balances already set, and the slice's value booked as one
 *    balanced ledger entry (kind `issue`, reference `batch:<name>`): one posting per card plus one
 *    funding posting — the same books `postEntry` writes, without one UPDATE per card. Number and
 *    PIN hashing happen between slices, outside any transaction;
 * 3. `onChunk` (the CSV of `cards generate`) runs after each slice has committed, outside any
 *    transaction; `beforePublish` (fsync of that CSV) after the last;
 * 4. ONE short transaction publishes the batch: `loading` → the requested status.
 * Any failure (or `signal` aborting) before step 4 removes what was staged, slice by slice; if even
 * that fails the batch stays `loading` — unusable — until `prepaid batches discard` removes it.
 */
export interface WriteBatchOptions {
  /** Cards of the batch, chunk by chunk; the batch id is known once the batch row exists. */
  cards: (batch_id: number) => AsyncIterable<BatchCard[]> | Iterable<BatchCard[]>;
  /** Called with each slice once it has COMMITTED (still invisible), outside any transaction: the generator writes its CSV lines here. */
  onChunk?: (cards: readonly BatchCard[]) => Promise<void> | void;
  /** Called after the last slice, before the batch is published (the generator flushes its CSV to disk here). */
  beforePublish?: () => Promise<void>;
  onProgress?: (done: number) => void;
  /** Runs in the publishing transaction (the CLI records the operator event here). */
  onWritten?: (q: Sql, batch: BatchSummary) => Promise<void>;
  /**
   * A card whose number is already issued: return a replacement (generation draws a new number)
   * or throw (import: the file is wrong).
   */
  onTakenNumber: (card: BatchCard) => BatchCard;
  /** Stops between two slices (Ctrl-C); what was staged is removed. */
  signal?: AbortSignal;
  /** Cards per transaction, fixed; by default the size adapts so a slice holds the lock about SLICE_TARGET_MS. */
  slice_rows?: number;
  /** Pause after each slice (default SLICE_PAUSE_MS), so another process waiting for the write lock gets it. */
  pause_ms?: number;
}

/**
 * Time one slice spends inside its transaction (the write lock held, COMMIT's fsync aside): a server
 * waiting for the lock waits about this long. Slices are sized to it, between SLICE_MIN_ROWS and
 * SLICE_MAX_ROWS cards (~500 on an idle 2-core machine).
 */
export const SLICE_TARGET_MS = 20;
export const SLICE_MIN_ROWS = 50;
export const SLICE_MAX_ROWS = 2000;
/**
 * Longer than the SQLite driver's longest wait between two tries for the lock (4 ms): a server that
 * was waiting while a slice held the lock always gets its turn before the next slice.
 */
export const SLICE_PAUSE_MS = 5;
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

/** Ids for `n` new cards, reserved inside the slice's transaction. */
async function reserveCardIds(q: Sql, n: number): Promise<number[]> {
  if (q.dialect === 'pg') {
    const rows = await q.all<{ id: number }>("SELECT nextval(pg_get_serial_sequence('cards', 'id')) AS id FROM generate_series(1, ?)", [n]);
    return rows.map((r) => Number(r.id));
  }
  // SQLite: BEGIN IMMEDIATE makes this transaction the only writer, so the ids after the current maximum are ours.
  const first = await sqliteNextId(q);
  return Array.from({ length: n }, (_, i) => first + i);
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

/** The load was stopped (Ctrl-C) or the batch discarded by an operator while it loaded. */
export class BatchLoadStoppedError extends BillingError {
  constructor(message: string) {
    super('invalid_state', message);
  }
}

/** One card with its secrets already hashed (done outside any transaction). */
interface Hashed { card: BatchCard; hash: string; pin_hash: string }

/**
 * On SQLite, when the cards table held nothing when the load began and nobody else has added a card
 * since (the ids we take stay contiguous), the generator's own distinctness is the whole story and
 * the per-slice lookups are skipped. PostgreSQL always looks; the UNIQUE indexes are the last word.
 */
interface LoadState { alone: boolean; next_id: number | null; count: number; total: number }

/** What one committed slice changes in the load's state, and how long it kept the transaction. */
interface SliceDone { cards: BatchCard[]; alone: boolean; next_id: number | null; total: number; in_tx_ms: number }

async function writeSlice(q: Sql, hasher: SecretHasher, now_ms: number, spec: BatchSpec, batch_id: number, slice: Hashed[], state: Readonly<LoadState>, opts: WriteBatchOptions): Promise<SliceDone> {
  const began = performance.now();
  const status = await q.one<{ status: string }>('SELECT status FROM batches WHERE id = ?', [batch_id]);
  if (status?.status !== 'loading') throw new BatchLoadStoppedError(`batch "${spec.name}" was discarded while it loaded`);
  const ids = await reserveCardIds(q, slice.length);
  const alone = state.alone && q.dialect === 'sqlite' && ids[0] === state.next_id;
  if (!alone) {
    const serials = await takenSerials(q, slice.map((h) => h.card.serial));
    const clash = slice.find((h) => serials.has(h.card.serial));
    if (clash) throw new SerialTakenError(clash.card);
    for (let round = 0; ; round++) {
      assert(round < 20, 'bounded search for free card numbers');
      const taken = await takenHashes(q, slice.map((h) => h.hash));
      if (taken.size === 0) break;
      for (const h of slice) {
        if (!taken.has(h.hash)) continue;
        h.card = opts.onTakenNumber(h.card);
        h.hash = hasher.cardNumber(h.card.number);
        h.pin_hash = hasher.pin(h.hash, h.card.pin);
      }
    }
  }
  const entry = await q.one<{ id: number }>(
    "INSERT INTO ledger_entries (kind, card_id, hold_id, reference, reason, actor, created_at_ms) VALUES ('issue', NULL, NULL, ?, ?, ?, ?) RETURNING id",
    [`batch:${spec.name}`, `card batch ${spec.name} (${spec.source})`, spec.actor, now_ms],
  );
  assert(entry, 'entry id');
  const activated = spec.status === 'active' ? now_ms : null;
  let sliceTotal = 0;
  for (let start = 0; start < slice.length; start += ROWS_PER_INSERT) {
    const end = Math.min(slice.length, start + ROWS_PER_INSERT);
    const cardParams: SqlValue[] = [];
    const postingParams: SqlValue[] = [];
    for (let i = start; i < end; i++) {
      const { card: c, hash, pin_hash } = slice[i] as Hashed;
      const id = ids[i] as number;
      assert(Number.isSafeInteger(c.value_minor) && c.value_minor > 0, 'card value is a positive integer');
      cardParams.push(id, hash, pin_hash, c.number.slice(-4), c.serial, batch_id, spec.currency, spec.status,
        c.expiry.kind, c.expiry.days ?? null, expiresAtMs(c.expiry, spec.status, now_ms), activated, now_ms, c.value_minor);
      postingParams.push(entry.id, `card:${id}`, id, c.value_minor, spec.currency);
      sliceTotal += c.value_minor;
    }
    await q.run(multiInsert(`INSERT INTO cards ${CARD_COLUMNS}`, CARD_PARAMS, end - start), cardParams);
    await q.run(multiInsert('INSERT INTO postings (entry_id, account, card_id, amount_minor, currency)', POSTING_PARAMS, end - start), postingParams);
  }
  assert(Number.isSafeInteger(state.total + sliceTotal), 'batch total fits');
  await q.run('INSERT INTO postings (entry_id, account, card_id, amount_minor, currency) VALUES (?, ?, NULL, ?, ?)', [entry.id, FUNDING_SALES, -sliceTotal, spec.currency]);
  await q.run('UPDATE batches SET card_count = card_count + ?, total_minor = total_minor + ?, entry_id = COALESCE(entry_id, ?) WHERE id = ?', [slice.length, sliceTotal, entry.id, batch_id]);
  return { cards: slice.map((h) => h.card), alone, next_id: q.dialect === 'sqlite' ? (ids[ids.length - 1] as number) + 1 : null, total: sliceTotal, in_tx_ms: performance.now() - began };
}

/** Cuts chunks of any size into slices of the size `rows()` says when each is taken. */
async function* slices(chunks: AsyncIterable<BatchCard[]> | Iterable<BatchCard[]>, rows: () => number): AsyncGenerator<BatchCard[]> {
  let buf: BatchCard[] = [];
  let at = 0;
  for await (const chunk of chunks) {
    buf = at < buf.length ? buf.slice(at).concat(chunk) : chunk;
    at = 0;
    while (buf.length - at >= rows()) {
      const n = rows();
      yield buf.slice(at, at + n);
      at += n;
    }
  }
  if (at < buf.length) yield buf.slice(at);
}

export async function writeBatch(db: Database, hasher: SecretHasher, now_ms: number, spec: BatchSpec, opts: WriteBatchOptions): Promise<BatchSummary> {
  assert(opts.slice_rows === undefined || opts.slice_rows >= 1, 'slice size');
  const sizer = opts.slice_rows ? fixedSlices(opts.slice_rows) : new SliceSizer(SLICE_TARGET_MS, SLICE_MIN_ROWS, SLICE_MAX_ROWS, 500);
  const started = await db.tx(async (q) => {
    if (await batchByName(q, spec.name)) throw new BillingError('invalid_state', `batch "${spec.name}" already exists`);
    const batch = await q.one<{ id: number }>(
      "INSERT INTO batches (name, currency, value_minor, card_count, created_at_ms, status, source, total_minor, actor) VALUES (?, ?, ?, 0, ?, 'loading', ?, 0, ?) RETURNING id",
      [spec.name, spec.currency, spec.value_minor, now_ms, spec.source, spec.actor],
    );
    assert(batch, 'batch id');
    const empty = q.dialect === 'sqlite' && !(await q.one('SELECT id FROM cards LIMIT 1'));
    return { id: batch.id, empty, next_id: q.dialect === 'sqlite' ? await sqliteNextId(q) : null };
  });
  const state: LoadState = { alone: started.empty, next_id: started.next_id, count: 0, total: 0 };
  try {
    for await (const slice of slices(opts.cards(started.id), () => sizer.rows)) {
      if (opts.signal?.aborted) throw new BatchLoadStoppedError('interrupted');
      if (slice.length === 0) continue;
      const hashed = slice.map((card): Hashed => {
        const hash = hasher.cardNumber(card.number);
        return { card, hash, pin_hash: hasher.pin(hash, card.pin) };
      });
      const done = await db.tx((q) => writeSlice(q, hasher, now_ms, spec, started.id, hashed, state, opts));
      // Committed: only now does the load's state move.
      sizer.record(done.cards.length, done.in_tx_ms);
      state.alone = done.alone;
      state.next_id = done.next_id;
      state.count += done.cards.length;
      state.total += done.total;
      await opts.onChunk?.(done.cards);
      opts.onProgress?.(state.count);
      const pause = opts.pause_ms ?? SLICE_PAUSE_MS;
      if (pause > 0) await sleep(pause);
    }
    if (opts.signal?.aborted) throw new BatchLoadStoppedError('interrupted');
    if (state.count === 0) throw new BillingError('validation_error', 'a batch needs at least one card');
    await opts.beforePublish?.();
    return await db.tx(async (q) => {
      const r = await q.run("UPDATE batches SET status = ? WHERE id = ? AND status = 'loading'", [spec.status, started.id]);
      if (r.changes !== 1) throw new BatchLoadStoppedError(`batch "${spec.name}" was discarded while it loaded`);
      const summary = await batchByName(q, spec.name);
      assert(summary && summary.card_count === state.count && summary.total_minor === state.total, 'batch summary');
      await opts.onWritten?.(q, summary);
      return summary;
    });
  } catch (err) {
    await discardStagedBatch(db, started.id).catch((cleanup: unknown) => {
      throw new BillingError('internal_error', `${err instanceof Error ? err.message : String(err)}; the unfinished batch "${spec.name}" is left loading (unusable) because removing it failed too (${cleanup instanceof Error ? cleanup.message : String(cleanup)}): remove it with \`prepaid batches discard ${spec.name}\``);
    });
    throw err;
  }
}
