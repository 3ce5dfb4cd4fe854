import BetterSqlite3 from 'better-sqlite3';
import type { Database, Sql, SqlValue } from './database';
import { SqliteCheckpointer } from './sqlite-checkpointer';

interface PendingTx {
  fn: (q: Sql) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** Most transactions sharing one COMMIT (a bound on the latency one batch can add). */
const MAX_GROUP_COMMIT = 64;

/**
 * better-sqlite3 behind the async `Database` seam. One connection; transactions are
 * BEGIN IMMEDIATE and serialised by an in-process queue (with group commit, below), so an awaited
 * step inside one transaction can never interleave with another. Statements are prepared once and cached.
 */
export class SqliteDatabase implements Database {
  readonly dialect = 'sqlite' as const;
  readonly forUpdate = '';
  private readonly db: BetterSqlite3.Database;
  private readonly statements = new Map<string, BetterSqlite3.Statement>();
  private queue: Promise<unknown> = Promise.resolve();
  private readonly pending: PendingTx[] = [];
  private readonly checkpointer: SqliteCheckpointer | undefined;
  private draining = false;
  private scheduled = false;
  /** Commits and the transactions they carried (group commit at work: transactions / batches). */
  readonly stats = { batches: 0, transactions: 0 };

  constructor(file: string) {
    this.db = new BetterSqlite3(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL'); // durable across process crashes in WAL mode
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('foreign_keys = ON');
    if (file !== ':memory:') {
      this.db.pragma('wal_autocheckpoint = 0');
      this.checkpointer = new SqliteCheckpointer(file);
    }
  }

  /** The raw handle, for bulk loads that stay synchronous (card generation). */
  get raw(): BetterSqlite3.Database {
    return this.db;
  }

  private stmt(sql: string): BetterSqlite3.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  private readonly runner: Sql = {
    dialect: 'sqlite',
    forUpdate: '',
    all: async <T>(sql: string, params: readonly SqlValue[] = []) => this.stmt(sql).all(...params) as T[],
    one: async <T>(sql: string, params: readonly SqlValue[] = []) => this.stmt(sql).get(...params) as T | undefined,
    run: async (sql: string, params: readonly SqlValue[] = []) => ({ changes: this.stmt(sql).run(...params).changes }),
  };

  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]> { return this.runner.all<T>(sql, params); }
  one<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> { return this.runner.one<T>(sql, params); }
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }> { return this.runner.run(sql, params); }

  /**
   * Group commit: transactions that queue up while one runs are executed back to back inside ONE
   * `BEGIN IMMEDIATE … COMMIT`, each in its own SAVEPOINT (a throw rolls back only that one). Every
   * caller is answered only after the shared COMMIT, so nothing is reported done before it is
   * durable. Serial order is kept, so each transaction sees exactly what it would see alone.
   * A batch starts on the next turn of the event loop (setImmediate): under no load it is one
   * transaction, a turn later.
   */
  tx<T>(fn: (q: Sql) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ fn: fn as (q: Sql) => Promise<unknown>, resolve: resolve as (v: unknown) => void, reject });
      if (!this.draining && !this.scheduled) {
        // Start on the next turn of the event loop, so transactions from every request that arrived
        // in this turn (one poll phase) share the COMMIT; a batch itself runs without yielding.
        this.scheduled = true;
        this.queue = new Promise<void>((resolve) => setImmediate(() => { this.scheduled = false; resolve(this.drain()); }));
      }
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, MAX_GROUP_COMMIT);
        await this.runBatch(batch);
      }
    } finally {
      this.draining = false;
    }
  }

  private async runBatch(batch: PendingTx[]): Promise<void> {
    this.stats.batches++;
    this.stats.transactions += batch.length;
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    try {
      this.stmt('BEGIN IMMEDIATE').run();
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    try {
      for (const item of batch) {
        // If SQLite aborted the whole transaction (rare: I/O errors), nothing after may run in autocommit.
        if (!this.db.inTransaction) throw new Error('the batch transaction was aborted by SQLite');
        this.stmt('SAVEPOINT tx').run();
        try {
          const value = await item.fn(this.runner);
          this.stmt('RELEASE tx').run();
          outcomes.push({ ok: true, value });
        } catch (error) {
          if (this.db.inTransaction) {
            this.stmt('ROLLBACK TO tx').run();
            this.stmt('RELEASE tx').run();
          }
          outcomes.push({ ok: false, error });
        }
      }
      this.stmt('COMMIT').run();
    } catch (error) {
      if (this.db.inTransaction) this.stmt('ROLLBACK').run();
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, i) => {
      const o = outcomes[i];
      if (o?.ok) item.resolve(o.value);
      else item.reject(o ? o.error : new Error('transaction lost'));
    });
  }

  async close(): Promise<void> {
    await this.queue;
    if (!this.db.open) return;
    if (this.checkpointer) {
      await this.checkpointer.stop();
      try { this.db.pragma('wal_checkpoint(TRUNCATE)'); } catch { /* another process is reading: it will checkpoint */ }
    }
    this.db.close();
  }
}
