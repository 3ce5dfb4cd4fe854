import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase } from '../../billing/store/sql/sqlite';

/** An error shaped like the driver's own (better-sqlite3's SqliteError carries `code`). */
export class InjectedSqliteError extends Error {
  constructor(readonly sql: string, readonly code = 'SQLITE_IOERR') {
    super(`injected failure of ${sql} (${code})`);
  }
}

export interface Faults {
  /** The next `times` executions of statement `sql` (e.g. 'COMMIT', 'ROLLBACK') throw without running. */
  fail(sql: string, times?: number, code?: string): void;
  /** How often `sql` was executed or attempted through the wrapped driver. */
  count(sql: string): number;
}

/**
 * Wraps the REAL driver of a SqliteDatabase on a real file: every statement the writer connection
 * prepares from now on goes through `prepare`, and armed ones throw instead of running. Call it
 * right after opening (statements are prepared lazily, on first use).
 */
export function injectFaults(db: SqliteDatabase): Faults {
  const raw = db.raw;
  const armed = new Map<string, { times: number; code: string }>();
  const counts = new Map<string, number>();
  const prepare = raw.prepare.bind(raw);
  raw.prepare = ((sql: string) => {
    const stmt = prepare(sql);
    const run = stmt.run.bind(stmt);
    stmt.run = ((...params: unknown[]) => {
      counts.set(sql, (counts.get(sql) ?? 0) + 1);
      const fault = armed.get(sql);
      if (fault && fault.times > 0) {
        fault.times--;
        throw new InjectedSqliteError(sql, fault.code);
      }
      return run(...params);
    }) as typeof stmt.run;
    return stmt;
  }) as BetterSqlite3.Database['prepare'];
  return {
    fail: (sql, times = 1, code = 'SQLITE_IOERR') => { armed.set(sql, { times, code }); },
    count: (sql) => counts.get(sql) ?? 0,
  };
}

/** Rejects with a clear message when `p` has not settled within `ms` (a caller left unanswered). */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: not answered within ${ms} ms`)), ms); }),
  ]);
}
