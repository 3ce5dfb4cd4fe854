import BetterSqlite3 from 'better-sqlite3';
import type { Database, Sql, SqlValue } from './database';

/**
 * better-sqlite3 behind the async `Database` seam. One connection; transactions are
 * BEGIN IMMEDIATE and serialised by an in-process queue, so an awaited step inside one
 * transaction can never interleave with another. Statements are prepared once and cached.
 */
export class SqliteDatabase implements Database {
  readonly dialect = 'sqlite' as const;
  readonly forUpdate = '';
  private readonly db: BetterSqlite3.Database;
  private readonly statements = new Map<string, BetterSqlite3.Statement>();
  private queue: Promise<unknown> = Promise.resolve();
  private inTx = false;

  constructor(file: string) {
    this.db = new BetterSqlite3(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL'); // durable across process crashes in WAL mode
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('foreign_keys = ON');
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

  tx<T>(fn: (q: Sql) => Promise<T>): Promise<T> {
    const next = this.queue.then(() => this.runTx(fn));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async runTx<T>(fn: (q: Sql) => Promise<T>): Promise<T> {
    if (this.inTx) throw new Error('nested transaction');
    this.inTx = true;
    try {
      this.stmt('BEGIN IMMEDIATE').run();
      try {
        const result = await fn(this.runner);
        this.stmt('COMMIT').run();
        return result;
      } catch (err) {
        if (this.db.inTransaction) this.stmt('ROLLBACK').run();
        throw err;
      }
    } finally {
      this.inTx = false;
    }
  }

  async close(): Promise<void> {
    await this.queue;
    this.db.close();
  }
}
