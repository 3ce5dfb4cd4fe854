import os from 'node:os';
import pg from 'pg';
import type { Database, Sql, SqlValue } from './database';
import { DatabaseClosed } from './database';
import { PgGroupCommit } from './pg-group-commit';
import { PgPipeline } from './pg-pipeline';
import type { GroupCommitOptions } from './pg-group-commit';

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

/** A statement as sent: `?` rewritten to `$n`, and a name when it is kept prepared. */
interface Statement { text: string; name: string | undefined }

/**
 * Distinct statement texts kept as named prepared statements on every connection (parsed and
 * planned once per connection instead of once per execution). The stores' SQL is a small fixed set;
 * the bound keeps an unexpected stream of distinct texts (generated IN lists…) from growing each
 * backend's memory: past it, statements go unnamed as before.
 */
const MAX_PREPARED = 1000;
const statements = new Map<string, Statement>();

/** `?` → `$1, $2…` (our SQL never has a literal `?`; PostgreSQL-only SQL may use `$n` directly). */
function statementFor(sql: string): Statement {
  let s = statements.get(sql);
  if (s === undefined) {
    let i = 0;
    const text = sql.replace(/\?/g, () => `$${++i}`);
    s = { text, name: statements.size < MAX_PREPARED ? `prepaid_${statements.size}` : undefined };
    if (statements.size < MAX_PREPARED * 2) statements.set(sql, s);
  }
  return s;
}

const RETRYABLE = new Set(['40001', '40P01']); // serialization_failure, deadlock_detected
const MAX_TX_ATTEMPTS = 5;

/** Round trips to the server, for benches and tests (a statement, BEGIN and COMMIT count one each). */
export interface PostgresStats { statements: number; transactions: number }

/**
 * Connections for the machine: PostgreSQL does its work in one process per connection, so more
 * connections than a few per core only queue inside the server (and wait on each other's row locks)
 * instead of in the pool. Measured with bench/settlement on 2 cores: see README "Benchmarks".
 */
export function defaultPoolSize(cores = os.availableParallelism()): number {
  return Math.max(4, Math.min(16, 4 * cores));
}

export interface PostgresOptions {
  poolSize?: number;
  /** Group commit of the one-statement moves (default on); false sends each alone through the pool. */
  groupCommit?: boolean | Partial<GroupCommitOptions>;
  /** Connections pipelining the statements issued outside transactions (default 2); 0 sends them through the pool. */
  pipelined?: number;
}

export const DEFAULT_GROUP_COMMIT: GroupCommitOptions = Object.freeze({ connections: 2, lock_timeout_ms: 250 });

export class PostgresDatabase implements Database {
  readonly dialect = 'pg' as const;
  readonly forUpdate = ' FOR UPDATE';
  readonly pool: pg.Pool;
  readonly stats: PostgresStats = { statements: 0, transactions: 0 };
  readonly grouped: Sql;
  readonly groupCommit: PgGroupCommit | undefined;
  private readonly pipeline: PgPipeline | undefined;
  private readonly runner: Sql;
  private readonly listeners = new Set<pg.Client>();
  private closed = false;

  constructor(private readonly connectionString: string, options: PostgresOptions = {}) {
    this.pool = new pg.Pool({ connectionString, max: options.poolSize ?? defaultPoolSize(), types, connectionTimeoutMillis: 10_000 });
    this.pool.on('error', () => undefined); // an idle client dying is not fatal; the next checkout reconnects
    const prepared = (sql: string) => { this.stats.statements++; return statementFor(sql); };
    const clientConfig = { connectionString, types, connectionTimeoutMillis: 10_000 };
    const pipelined = options.pipelined ?? 2;
    this.pipeline = pipelined > 0 ? new PgPipeline(clientConfig, prepared, pipelined) : undefined;
    this.runner = this.pipeline ?? this.runnerFor(this.pool);
    const gc = options.groupCommit ?? true;
    if (gc === false) {
      this.grouped = this.runner;
    } else {
      this.groupCommit = new PgGroupCommit(clientConfig, prepared, { ...DEFAULT_GROUP_COMMIT, ...(gc === true ? {} : gc) });
      this.grouped = this.groupCommit;
    }
  }

  private runnerFor(client: pg.Pool | pg.PoolClient): Sql {
    const query = (sql: string, params: readonly SqlValue[]) => {
      const s = statementFor(sql);
      this.stats.statements++;
      return client.query({ text: s.text, name: s.name, values: params as SqlValue[] });
    };
    return {
      dialect: 'pg',
      forUpdate: ' FOR UPDATE',
      all: async <T>(sql: string, params: readonly SqlValue[] = []) => (await query(sql, params)).rows as T[],
      one: async <T>(sql: string, params: readonly SqlValue[] = []) => (await query(sql, params)).rows[0] as T | undefined,
      run: async (sql: string, params: readonly SqlValue[] = []) => ({ changes: (await query(sql, params)).rowCount ?? 0 }),
    };
  }

  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]> { return this.runner.all<T>(sql, params); }
  one<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> { return this.runner.one<T>(sql, params); }
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }> { return this.runner.run(sql, params); }

  async tx<T>(fn: (q: Sql) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      this.stats.transactions++;
      try {
        this.stats.statements++;
        await client.query('BEGIN');
        const result = await fn(this.runnerFor(client));
        this.stats.statements++;
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
    await this.groupCommit?.close();
    await this.pipeline?.close();
    await this.pool.end();
  }
}
