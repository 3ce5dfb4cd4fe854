import pg from 'pg';
import type { Database, Sql, SqlValue } from './database';
import { DatabaseClosed } from './database';

const INT8_OID = 20;
const NUMERIC_OID = 1700;

function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new Error('int8 value outside the safe integer range');
  return n;
}

const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID || oid === NUMERIC_OID) return parseInt8;
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

const converted = new Map<string, string>();
/** `?` → `$1, $2…` (our SQL never has a literal `?`). */
function toPg(sql: string): string {
  let out = converted.get(sql);
  if (out === undefined) {
    let i = 0;
    out = sql.replace(/\?/g, () => `$${++i}`);
    converted.set(sql, out);
  }
  return out;
}

const RETRYABLE = new Set(['40001', '40P01']); // serialization_failure, deadlock_detected
const MAX_TX_ATTEMPTS = 5;

function runnerFor(client: pg.Pool | pg.PoolClient): Sql {
  return {
    dialect: 'pg',
    forUpdate: ' FOR UPDATE',
    all: async <T>(sql: string, params: readonly SqlValue[] = []) => (await client.query({ text: toPg(sql), values: params as SqlValue[] })).rows as T[],
    one: async <T>(sql: string, params: readonly SqlValue[] = []) => (await client.query({ text: toPg(sql), values: params as SqlValue[] })).rows[0] as T | undefined,
    run: async (sql: string, params: readonly SqlValue[] = []) => ({ changes: (await client.query({ text: toPg(sql), values: params as SqlValue[] })).rowCount ?? 0 }),
  };
}

export class PostgresDatabase implements Database {
  readonly dialect = 'pg' as const;
  readonly forUpdate = ' FOR UPDATE';
  readonly pool: pg.Pool;
  private readonly runner: Sql;
  private readonly listeners = new Set<pg.Client>();
  private closed = false;

  constructor(private readonly connectionString: string, poolSize = 10) {
    this.pool = new pg.Pool({ connectionString, max: poolSize, types, connectionTimeoutMillis: 10_000 });
    this.pool.on('error', () => undefined); // an idle client dying is not fatal; the next checkout reconnects
    this.runner = runnerFor(this.pool);
  }

  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]> { return this.runner.all<T>(sql, params); }
  one<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> { return this.runner.one<T>(sql, params); }
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }> { return this.runner.run(sql, params); }

  async tx<T>(fn: (q: Sql) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(runnerFor(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        const code = (err as { code?: string }).code;
        if (code && RETRYABLE.has(code) && attempt < MAX_TX_ATTEMPTS) continue;
        throw err;
      } finally {
        client.release();
      }
    }
  }

  async listen(channel: string, onNotify: (payload: string) => void, onLost: (error: unknown) => void): Promise<{ close(): Promise<void> }> {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(channel)) throw new Error(`not a channel name: ${channel}`);
    if (this.closed) throw new DatabaseClosed();
    const client = new pg.Client({ connectionString: this.connectionString, connectionTimeoutMillis: 10_000, keepAlive: true });
    let done = false;
    const finish = async () => {
      done = true;
      this.listeners.delete(client);
      await client.end().catch(() => undefined);
    };
    const lost = (error: unknown) => {
      if (done) return;
      void finish();
      onLost(error);
    };
    client.on('notification', (m) => { if (!done && m.channel === channel) onNotify(m.payload ?? ''); });
    client.on('error', lost);
    client.on('end', () => lost(new Error('the LISTEN connection ended')));
    this.listeners.add(client);
    try {
      await client.connect();
      await client.query(`LISTEN ${channel}`);
    } catch (err) {
      await finish();
      throw err;
    }
    if (this.closed) {
      await finish();
      throw new DatabaseClosed();
    }
    return { close: finish };
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.listeners].map((c) => { this.listeners.delete(c); return c.end().catch(() => undefined); }));
    await this.pool.end();
  }
}
