import pg from 'pg';
import type { Sql } from './database';
import { PgBatch } from './pg-batch';
import { PgStatementQueue } from './pg-statement-queue';
import type { Prepared, Queued } from './pg-statement-queue';

/**
 * Group commit for PostgreSQL, as billing/store/sql/sqlite.ts does for SQLite: single statements
 * that are each a whole transaction (the one-statement money moves) and that queue up while a
 * batch is being written share ONE transaction. The batch — BEGIN, the statements in their order,
 * COMMIT — goes down one connection as one write ending in one Sync (pg-batch.ts), and every
 * statement is answered only after that COMMIT has succeeded. Statements run one after the other
 * inside the transaction, so each sees the ones before it, exactly as if they had committed one by
 * one.
 *
 * A statement that fails (a unique key already taken, a lock wait past `lock_timeout`) aborts the
 * transaction: nothing of the batch is kept. It is rejected with its own error and every other
 * statement of the batch with `BatchRolledBack` — all of them provably without effect, so their
 * callers may run them again another way (the one-statement moves fall back to their general
 * transaction). A lost connection is different: the COMMIT may or may not have happened, so its
 * statements are rejected with the connection's error and must not be retried blindly.
 */
export class BatchRolledBack extends Error {
  readonly code = 'batch_rolled_back';
  constructor(cause: unknown) {
    super('the shared transaction was rolled back because another statement in it failed', { cause });
  }
}

/** Statements in one shared transaction, at most: a bound on the lock time and latency one batch adds. */
const MAX_BATCH = 32;

export interface GroupCommitOptions {
  /** Connections carrying batches at once (each holds one batch in flight). */
  connections: number;
  /** Bound on a row-lock wait inside a batch, so a batch never stalls behind a long transaction. */
  lock_timeout_ms: number;
}

export class PgGroupCommit extends PgStatementQueue implements Sql {
  readonly dialect = 'pg' as const;
  readonly forUpdate = ' FOR UPDATE';
  /** Batches committed and the statements they carried (statements / batches = the grouping at work). */
  readonly stats = { batches: 0, statements: 0, rolled_back: 0 };
  private readonly idle: pg.Client[] = [];
  private readonly dead = new WeakSet<pg.Client>();
  private open = 0;
  private connecting = 0;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly config: pg.ClientConfig,
    prepared: Prepared,
    private readonly options: GroupCommitOptions,
  ) {
    super(prepared);
  }

  /** Hands queued statements to idle connections, opening connections up to the bound. */
  protected drain(): void {
    this.pump();
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const client = this.idle.pop();
      if (client && this.dead.has(client)) {
        // It died while idle (the server went away): nothing was sent on it; drop it, try another.
        this.retire(client);
        continue;
      }
      if (!client) {
        if (this.open + this.connecting < this.options.connections) this.connect();
        return;
      }
      const batch = this.queue.splice(0, MAX_BATCH);
      const run = this.runBatch(client, batch).finally(() => { this.inFlight.delete(run); });
      this.inFlight.add(run);
    }
  }

  private connect(): void {
    this.connecting++;
    const client = new pg.Client(this.config);
    // A connection that fails is not reused: a batch on it fails; idle, it is dropped at the next pump.
    client.on('error', () => { this.dead.add(client); });
    client.on('end', () => { this.dead.add(client); });
    client.connect()
      .then(() => client.query(`SET lock_timeout = ${Math.max(1, Math.round(this.options.lock_timeout_ms))}`))
      .then(() => {
        this.connecting--;
        if (this.closed) { void client.end(); return; }
        this.open++;
        this.idle.push(client);
        this.pump();
      }, (err: unknown) => {
        this.connecting--;
        void client.end().catch(() => undefined);
        // With no other connection to take the queue, fail what waits (no retry loop here: the
        // next statement tries to connect again).
        if (this.open === 0 && this.connecting === 0) for (const q of this.queue.splice(0)) q.reject(err);
      });
  }

  private async runBatch(client: pg.Client, batch: Queued[]): Promise<void> {
    const sent = new PgBatch(batch, this.config.types ?? pg.types);
    void client.query(sent as unknown as pg.QueryConfig);
    const outcome = await sent.outcome;
    if (outcome.kind === 'committed') {
      this.stats.batches++;
      this.stats.statements += batch.length;
      batch.forEach((q, i) => q.resolve(outcome.results[i]!));
    } else if (outcome.kind === 'lost') {
      // BEGIN or COMMIT failed, or the connection was lost before COMMIT answered: the COMMIT's fate is unknown.
      this.retire(client);
      for (const q of batch) q.reject(outcome.error);
      this.pump();
      return;
    } else {
      // A statement failed, so PostgreSQL skipped the rest, COMMIT included: nothing of the batch is
      // kept. Its transaction is rolled back (its locks released) before anyone is told.
      this.stats.rolled_back++;
      const usable = await client.query('ROLLBACK').then(() => true, () => false);
      batch.forEach((q, i) => q.reject(i === outcome.at ? outcome.error : new BatchRolledBack(outcome.error)));
      if (!usable) {
        this.retire(client);
        this.pump();
        return;
      }
    }
    this.idle.push(client);
    this.pump();
  }

  private retire(client: pg.Client): void {
    this.open--;
    void client.end().catch(() => undefined);
  }

  async close(): Promise<void> {
    this.closed = true;
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    for (const q of this.queue.splice(0)) q.reject(new Error('the database is closed'));
    await Promise.allSettled(this.idle.splice(0).map((c) => c.end()));
  }
}
