/**
 * The thin SQL seam the stores are written against, once, for both databases.
 * SQL uses `?` placeholders; the PostgreSQL driver rewrites them to $n.
 * Integers come back as JS numbers on both (int8 is parsed, with a safe-integer check).
 */
export type SqlValue = string | number | null;
export type Row = Record<string, unknown>;

export interface Sql {
  readonly dialect: Dialect;
  /** ` FOR UPDATE` on PostgreSQL (row lock); empty on SQLite, where BEGIN IMMEDIATE serialises writers. */
  readonly forUpdate: string;
  all<T = Row>(sql: string, params?: readonly SqlValue[], options?: StatementOptions): Promise<T[]>;
  one<T = Row>(sql: string, params?: readonly SqlValue[], options?: StatementOptions): Promise<T | undefined>;
  run(sql: string, params?: readonly SqlValue[], options?: StatementOptions): Promise<{ changes: number }>;
}

/** What a statement may tell the database besides its SQL (ignored where it does not apply). */
export interface StatementOptions {
  /**
   * The row the statement locks (`card:42`). PostgreSQL's group commit does not put it in a batch
   * while another batch holding a statement with the same key is in flight: it would find the row
   * locked and decline (SKIP LOCKED), and its caller would take the slower general transaction.
   * It goes in the next batch instead.
   */
  key?: string;
}

/** `q` with `key` on every statement (see StatementOptions). */
export function keyedSql(q: Sql, key: string): Sql {
  const options = { key };
  return {
    dialect: q.dialect,
    forUpdate: q.forUpdate,
    all: <T = Row>(sql: string, params?: readonly SqlValue[]) => q.all<T>(sql, params, options),
    one: <T = Row>(sql: string, params?: readonly SqlValue[]) => q.one<T>(sql, params, options),
    run: (sql: string, params?: readonly SqlValue[]) => q.run(sql, params, options),
  };
}

export type Dialect = 'sqlite' | 'pg';

export interface Database extends Sql {
  /**
   * Runs `fn` in one transaction: committed when it returns, rolled back when it throws.
   * Bounded retry on serialization failures / deadlocks / SQLITE_BUSY.
   */
  tx<T>(fn: (q: Sql) => Promise<T>): Promise<T>;
  /**
   * PostgreSQL: where single statements that are each a whole transaction go (the one-statement
   * money moves). Statements that queue up share one transaction (group commit), each answered only
   * after its COMMIT. Absent on SQLite.
   */
  readonly grouped?: Sql;
  close(): Promise<void>;
  /**
   * PostgreSQL only: a dedicated connection LISTENing on `channel`. `onLost` is called once if that
   * connection fails (not after `close`). Rejects with DatabaseClosed once the database is closed.
   */
  listen?(channel: string, onNotify: (payload: string) => void, onLost: (error: unknown) => void): Promise<{ close(): Promise<void> }>;
}

/** The database was closed: nothing more will be answered. */
export class DatabaseClosed extends Error {
  constructor() {
    super('the database is closed');
  }
}
