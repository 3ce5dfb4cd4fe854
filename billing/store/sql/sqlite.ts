import { setTimeout as sleep } from 'node:timers/promises';
import BetterSqlite3 from 'better-sqlite3';
import type { Database, Sql, SqlValue } from './database';
import { CHECKPOINT_DEFAULTS, SqliteCheckpointer } from './sqlite-checkpointer';
import type { CheckpointOptions } from './sqlite-checkpointer';
import { isBusy, LockTimeoutError, TxScope, TxTimeoutError } from './sqlite-scope';
import { WalSync } from './sqlite-wal-sync';

interface PendingTx {
  fn: (q: Sql) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** Most transactions sharing one COMMIT (a bound on the latency one batch can add). */
const MAX_GROUP_COMMIT = 64;
/** Longest pause between two tries for the write lock: small, so a lock freed between two bulk slices is taken at once. */
const LOCK_RETRY_MAX_MS = 4;

/**
 * What a COMMIT guarantees before any caller of its batch is answered:
 * - `full` (the default): the commit is on disk (survives a power cut). SQLite writes the WAL and the
 *   driver then fsyncs it on libuv's thread pool — exactly the extra sync `synchronous = FULL` adds
 *   to every COMMIT in WAL mode, but the event loop keeps serving meanwhile, and the transactions
 *   arriving during the fsync share the next COMMIT. The next batch starts only after the fsync, so
 *   no transaction ever reads a write that is not yet durable. (SQLite itself runs NORMAL here.)
 * - `sqlite-full`: `PRAGMA synchronous = FULL`: the same guarantee, the fsync done by SQLite inside
 *   COMMIT, on the event loop (measured ~2–4× slower under HTTP load: bench/settlement).
 * - `none`: `synchronous = NORMAL` alone — survives a crash of the process, but a power cut may lose
 *   commits already reported done. Only benchmarks use it, to show what durability costs.
 */
export type SqliteDurability = 'full' | 'sqlite-full' | 'none';

export interface SqliteOptions {
  durability?: SqliteDurability;
  /** How long a batch keeps trying for the write lock (another process writing) before its transactions fail. */
  lock_timeout_ms?: number;
  /** How long one transaction callback may keep its batch open; past it, that callback alone fails. */
  tx_timeout_ms?: number;
  /**
   * Reads outside a transaction: on their own read-only connection (default; they see only committed
   * data and never wait for the writer), or queued as transactions behind the writes (`:memory:`).
   */
  reads?: 'own-connection' | 'queued';
  /** The off-thread checkpoints, and when the WAL is long enough to start over (sqlite-checkpointer.ts). */
  checkpoint?: CheckpointOptions;
}

/** A commit that could not be made durable: its outcome is unknown, and this database object refuses all work until the process restarts. */
export class DurabilityError extends Error {
  readonly code = 'SQLITE_IOERR_FSYNC';
  constructor(options: { cause: unknown }) {
    super('the database could not fsync a commit: its outcome is unknown; restart the process (SQLite recovers the WAL at open)', options);
  }
}

export const SQLITE_DEFAULTS = Object.freeze({ durability: 'full', lock_timeout_ms: 5_000, tx_timeout_ms: 2_000, checkpoint: CHECKPOINT_DEFAULTS } as const);

function prepared(db: BetterSqlite3.Database, cache: Map<string, BetterSqlite3.Statement>, sql: string): BetterSqlite3.Statement {
  let s = cache.get(sql);
  if (!s) {
    s = db.prepare(sql);
    cache.set(sql, s);
  }
  return s;
}

function runnerOf(stmt: (sql: string) => BetterSqlite3.Statement): Sql {
  return {
    dialect: 'sqlite',
    forUpdate: '',
    all: async <T>(sql: string, params: readonly SqlValue[] = []) => stmt(sql).all(...params) as T[],
    one: async <T>(sql: string, params: readonly SqlValue[] = []) => stmt(sql).get(...params) as T | undefined,
    run: async (sql: string, params: readonly SqlValue[] = []) => ({ changes: stmt(sql).run(...params).changes }),
  };
}

/**
 * better-sqlite3 behind the async `Database` seam. Two connections to one file in WAL mode:
 * - the WRITER runs every transaction, BEGIN IMMEDIATE, serialised by an in-process queue with group
 *   commit (below), so an awaited step inside one transaction never interleaves with another;
 * - a READ-ONLY connection answers reads made outside a transaction: it sees committed data only,
 *   never the writes of a batch still running on the writer.
 * Durability: nobody is told a transaction is done before it is on disk (`SqliteDurability`).
 * The write lock is taken without blocking the event loop: while another process (a bulk load of
 * the CLI) holds it, the batch retries every few ms, up to `lock_timeout_ms`. Statements are
 * prepared once per connection and cached.
 */
export class SqliteDatabase implements Database {
  readonly dialect = 'sqlite' as const;
  readonly forUpdate = '';
  readonly options: Readonly<Required<SqliteOptions>>;
  private db: BetterSqlite3.Database;
  private statements = new Map<string, BetterSqlite3.Statement>();
  private readonly reader: BetterSqlite3.Database | undefined;
  private readonly readRunner: Sql | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly pending: PendingTx[] = [];
  private readonly checkpointer: SqliteCheckpointer | undefined;
  private draining = false;
  private scheduled = false;
  /** The driver's own fsync of the WAL after each COMMIT (durability `full` on a file). */
  readonly walSync: WalSync | undefined;
  /** Set when a commit could not be made durable: every later operation fails with it. */
  private failed: DurabilityError | undefined;
  /**
   * batches: COMMITs; transactions: what they carried (group commit at work); lock_retries: tries for a
   * write lock another process held; timeouts: callbacks failed for outliving `tx_timeout_ms`;
   * reopened: writer connections replaced after a ROLLBACK that failed; wal_restarts: pauses between
   * two batches that let the checkpointer copy the whole WAL back, so it starts over.
   */
  readonly stats = { batches: 0, transactions: 0, lock_retries: 0, timeouts: 0, reopened: 0, wal_restarts: 0 };

  constructor(private readonly file: string, options: SqliteOptions = {}) {
    const memory = file === ':memory:';
    this.options = Object.freeze({ ...SQLITE_DEFAULTS, reads: memory ? 'queued' : 'own-connection', ...options });
    if (memory && this.options.reads === 'own-connection') throw new RangeError('an in-memory database has one connection: reads must be queued');
    this.db = this.openWriter();
    if (!memory) {
      if (this.options.durability === 'full') this.walSync = new WalSync(file);
      this.checkpointer = new SqliteCheckpointer(file, this.options.checkpoint);
      if (this.options.reads === 'own-connection') {
        const reader = new BetterSqlite3(file, { readonly: true });
        reader.pragma('busy_timeout = 1000'); // WAL readers wait only during a crash recovery
        const cache = new Map<string, BetterSqlite3.Statement>();
        this.reader = reader;
        this.readRunner = runnerOf((sql) => prepared(reader, cache, sql));
      }
    }
  }

  private openWriter(): BetterSqlite3.Database {
    const db = new BetterSqlite3(this.file);
    db.pragma('journal_mode = WAL');
    // `full`: NORMAL in SQLite plus the driver's fsync after every COMMIT (see SqliteDurability);
    // an in-memory database has nothing to sync.
    db.pragma(`synchronous = ${this.options.durability === 'sqlite-full' ? 'FULL' : 'NORMAL'}`);
    // Never block the event loop waiting for a lock: BEGIN IMMEDIATE fails at once and is retried.
    db.pragma('busy_timeout = 0');
    db.pragma('foreign_keys = ON');
    // Each transaction of a shared commit runs in its own SAVEPOINT, and SQLite keeps what a
    // savepoint may have to undo (the first image of every page it touches) in a sub-journal: by
    // default a temporary FILE, written with a system call per page. In memory, an authorization's
    // statements took 92 µs instead of 205 µs (timed one by one in `serve`), and the settlement API
    // answered 30% more (bench/settlement). Only the writer's own temporary data is affected: what
    // it may undo within one batch, and its rare sorts.
    db.pragma('temp_store = MEMORY');
    if (this.file !== ':memory:') {
      db.pragma('wal_autocheckpoint = 0'); // the checkpointer does it off the request path
      // A WAL that once grew past twice the restart length is cut back when it starts over; below
      // that it is reused as it is (overwriting costs less than growing the file).
      const limit = 2 * this.options.checkpoint.restart_frames * Number(db.pragma('page_size', { simple: true }));
      db.pragma(`journal_size_limit = ${Number.isSafeInteger(limit) ? limit : -1}`);
    }
    return db;
  }

  /** The raw writer handle, for pragmas of bulk loads and for tests that inject driver failures. */
  get raw(): BetterSqlite3.Database {
    return this.db;
  }

  private stmt(sql: string): BetterSqlite3.Statement {
    return prepared(this.db, this.statements, sql);
  }

  private readonly writer: Sql = runnerOf((sql) => this.stmt(sql));

  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    if (this.failed) return Promise.reject(this.failed);
    return this.readRunner ? this.readRunner.all<T>(sql, params) : this.tx((q) => q.all<T>(sql, params));
  }

  one<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    if (this.failed) return Promise.reject(this.failed);
    return this.readRunner ? this.readRunner.one<T>(sql, params) : this.tx((q) => q.one<T>(sql, params));
  }

  /** A write outside a transaction is a transaction of its own, in the queue like any other. */
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }> {
    return this.tx((q) => q.run(sql, params));
  }

  /**
   * Group commit: transactions that queue up while one runs are executed back to back inside ONE
   * `BEGIN IMMEDIATE … COMMIT`, each in its own SAVEPOINT (a throw rolls back only that one). Every
   * caller is answered only after the shared COMMIT, so nothing is reported done before it is
   * durable. Serial order is kept, so each transaction sees exactly what it would see alone.
   * A batch starts on the next turn of the event loop (setImmediate): under no load it is one
   * transaction, a turn later. Every caller is always answered: a failed COMMIT or ROLLBACK rejects
   * the whole batch; a callback that does not settle within `tx_timeout_ms` fails alone.
   */
  tx<T>(fn: (q: Sql) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ fn: fn as (q: Sql) => Promise<unknown>, resolve: resolve as (v: unknown) => void, reject });
      if (!this.draining && !this.scheduled) {
        // Start on the next turn of the event loop, so transactions from every request that arrived
        // in this turn (one poll phase) share the COMMIT.
        this.scheduled = true;
        this.queue = new Promise<void>((resolve) => setImmediate(() => { this.scheduled = false; resolve(this.drain()); }));
      }
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.pending.length > 0) {
        if (this.checkpointer?.restartWanted) await this.letWalRestart(this.checkpointer);
        const batch = this.pending.splice(0, MAX_GROUP_COMMIT);
        await this.runBatch(batch);
      }
    } finally {
      this.draining = false;
    }
  }

  /**
   * Between two batches, no transaction open: the checkpointer copies the rest of the WAL back, and
   * the next batch's first write starts the WAL over (sqlite-checkpointer.ts says why this is needed).
   * Transactions arriving meanwhile queue and join the next batch.
   */
  private async letWalRestart(checkpointer: SqliteCheckpointer): Promise<void> {
    const r = await checkpointer.finish();
    if (r && r.checkpointed === r.log) this.stats.wal_restarts++;
  }

  private control(sql: string): void {
    this.stmt(sql).run();
  }

  private async runBatch(batch: PendingTx[]): Promise<void> {
    this.stats.batches++;
    this.stats.transactions += batch.length;
    try {
      await this.begin();
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    const outcomes: Outcome[] = [];
    try {
      for (const item of batch) {
        // If SQLite aborted the whole transaction (rare: I/O errors), nothing after may run in autocommit.
        if (!this.db.inTransaction) throw new Error('the batch transaction was aborted by SQLite');
        outcomes.push(await this.runOne(item.fn));
      }
      this.control('COMMIT');
    } catch (error) {
      this.abandon();
      for (const item of batch) item.reject(error);
      return;
    }
    if (this.walSync) {
      // Nobody hears "done" before the commit is on disk.
      try {
        await this.walSync.sync();
      } catch (cause) {
        this.failed = new DurabilityError({ cause });
        for (const item of batch) item.reject(this.failed);
        return;
      }
    }
    batch.forEach((item, i) => {
      const o = outcomes[i];
      if (o?.ok) item.resolve(o.value);
      else item.reject(o ? o.error : new Error('transaction lost'));
    });
  }

  /** One callback in its SAVEPOINT, bounded in time. Throws only when the batch itself cannot go on. */
  private async runOne(fn: (q: Sql) => Promise<unknown>): Promise<Outcome> {
    this.control('SAVEPOINT tx');
    const scope = new TxScope(this.writer);
    let timer: NodeJS.Timeout | undefined;
    const bound = this.options.tx_timeout_ms;
    try {
      const work = fn(scope.sql);
      // An abandoned callback may still reject later: that must not become an unhandled rejection.
      work.catch(() => undefined);
      const value = await Promise.race([
        work,
        new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new TxTimeoutError(bound)), bound); }),
      ]);
      scope.close();
      this.control('RELEASE tx');
      return { ok: true, value };
    } catch (error) {
      scope.close();
      if (error instanceof TxTimeoutError) this.stats.timeouts++;
      if (this.db.inTransaction) {
        this.control('ROLLBACK TO tx');
        this.control('RELEASE tx');
      }
      return { ok: false, error };
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * BEGIN IMMEDIATE, retried while another connection holds the write lock. The wait happens on
   * timers, never inside SQLite's busy handler, so the event loop (HTTP, calls, reads) keeps running.
   */
  private async begin(): Promise<void> {
    if (this.failed) throw this.failed;
    this.recover();
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        this.control('BEGIN IMMEDIATE');
        return;
      } catch (err) {
        if (!isBusy(err)) throw err;
        const waited = Date.now() - started;
        if (waited >= this.options.lock_timeout_ms) throw new LockTimeoutError(waited, attempt, { cause: err });
        this.stats.lock_retries++;
        await sleep(Math.min(attempt, LOCK_RETRY_MAX_MS));
      }
    }
  }

  /** Rolls the failed batch back; a ROLLBACK that fails is dealt with before the next batch begins. */
  private abandon(): void {
    if (!this.db.inTransaction) return;
    try {
      this.control('ROLLBACK');
    } catch {
      // recover() runs before the next BEGIN: the callers of this batch are answered now regardless.
    }
  }

  /**
   * A connection still inside a transaction (its ROLLBACK failed) must not carry those writes into
   * the next batch: roll back again, and if that fails too, replace the connection (closing it
   * discards the transaction).
   */
  private recover(): void {
    if (!this.db.inTransaction) return;
    try {
      this.control('ROLLBACK');
      return;
    } catch {
      // fall through: a fresh connection
    }
    try { this.db.close(); } catch { /* closing rolls back; a failure leaves nothing to keep */ }
    this.statements = new Map();
    this.db = this.openWriter();
    this.stats.reopened++;
  }

  async close(): Promise<void> {
    await this.queue;
    if (!this.db.open) return;
    this.reader?.close();
    await this.walSync?.close();
    if (this.checkpointer) {
      await this.checkpointer.stop();
      try { this.db.pragma('wal_checkpoint(TRUNCATE)'); } catch { /* another process is reading: it will checkpoint */ }
    }
    this.db.close();
  }
}
