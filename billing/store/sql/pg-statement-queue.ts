import type { Row, Sql, SqlValue } from './database';

/** What a statement answered: its rows and how many rows it touched (a pg QueryResult is one). */
export interface Answer { rows: unknown[]; rowCount: number | null }

/** One statement waiting for its turn: the prepared text, its parameters and its caller. */
export interface Queued {
  text: string;
  name: string | undefined;
  values: SqlValue[];
  resolve: (r: Answer) => void;
  reject: (e: unknown) => void;
}

export type Prepared = (sql: string) => { text: string; name: string | undefined };

/**
 * The front both PostgreSQL batchers share (group commit, pipelined statements): `all`, `one` and
 * `run` queue the statement, and the statements of every request that arrived in this turn of the
 * event loop are handed to `drain()` together on the next turn.
 */
export abstract class PgStatementQueue implements Pick<Sql, 'all' | 'one' | 'run'> {
  protected readonly queue: Queued[] = [];
  protected scheduled = false;
  protected closed = false;

  protected constructor(protected readonly prepared: Prepared) {}

  /** Sends what is queued (called on the turn after the first statement of a batch queued up). */
  protected abstract drain(): void;

  all<T = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return this.enqueue(sql, params).then((r) => r.rows as T[]);
  }

  one<T = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return this.enqueue(sql, params).then((r) => r.rows[0] as T | undefined);
  }

  run(sql: string, params: readonly SqlValue[] = []): Promise<{ changes: number }> {
    return this.enqueue(sql, params).then((r) => ({ changes: r.rowCount ?? 0 }));
  }

  private enqueue(sql: string, params: readonly SqlValue[]): Promise<Answer> {
    if (this.closed) return Promise.reject(new Error('the database is closed'));
    const { text, name } = this.prepared(sql);
    return new Promise((resolve, reject) => {
      this.queue.push({ text, name, values: params as SqlValue[], resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => { this.scheduled = false; this.drain(); });
      }
    });
  }
}
