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
  all<T = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  one<T = Row>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }>;
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
