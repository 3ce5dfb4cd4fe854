import type { Sql, SqlValue } from './database';

/** Raised to the callback (and only to it) that kept its transaction open past the bound. */
export class TxTimeoutError extends Error {
  readonly code = 'TX_TIMEOUT';
  constructor(readonly timeout_ms: number) {
    super(`transaction callback did not settle within ${timeout_ms} ms: rolled back alone, the other transactions of its batch went on`);
  }
}

/** The write lock could not be taken within the bound (another process held it throughout). */
export class LockTimeoutError extends Error {
  readonly code = 'SQLITE_BUSY';
  constructor(readonly waited_ms: number, readonly attempts: number, options?: { cause: unknown }) {
    super(`database is locked: no write lock after ${waited_ms} ms (${attempts} attempts)`, options);
  }
}

/**
 * The `Sql` one transaction callback receives inside a shared batch. Closed as soon as that
 * transaction is released or rolled back: a callback that outlives it (a timeout, a fire-and-forget
 * statement) then fails loudly instead of writing into whichever transaction runs next.
 */
export class TxScope {
  private open = true;
  readonly sql: Sql;

  constructor(inner: Sql) {
    const guard = (): void => {
      if (!this.open) throw new Error('statement after the end of its transaction (the callback outlived it); not run');
    };
    this.sql = {
      dialect: inner.dialect,
      forUpdate: inner.forUpdate,
      all: async <T>(sql: string, params?: readonly SqlValue[]) => { guard(); return inner.all<T>(sql, params); },
      one: async <T>(sql: string, params?: readonly SqlValue[]) => { guard(); return inner.one<T>(sql, params); },
      run: async (sql: string, params?: readonly SqlValue[]) => { guard(); return inner.run(sql, params); },
    };
  }

  close(): void {
    this.open = false;
  }
}

/** SQLITE_BUSY and its extended codes (…_RECOVERY, …_SNAPSHOT, …_TIMEOUT): another connection holds the lock. */
export function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}
