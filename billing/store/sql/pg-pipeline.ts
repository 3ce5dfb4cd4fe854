import pg from 'pg';
import type { Sql } from './database';
import { PgStatementQueue } from './pg-statement-queue';
import type { Prepared } from './pg-statement-queue';

/**
 * Statements outside any transaction (reads, and single writes that are their own transaction),
 * pipelined: those issued in one turn of the event loop leave together in one write on one of a few
 * connections in pipeline mode, without waiting for each other's answers. Each still runs alone in
 * its own implicit transaction (every query ends with its own Sync) and is answered after it, so
 * nothing changes but the waiting: a burst of 500 balance reads costs the server 500 executions
 * back to back instead of 500 round trips queued behind a pool of connections.
 *
 * A slow statement delays the ones behind it on its connection; the API and the IVR issue only
 * short ones here (the long ones — reports, ledger verify — run in their own CLI processes).
 */
interface Conn { client: pg.Client; inFlight: number; ready: Promise<void> }

/** Statements in flight on one connection, at most (a bound on the memory a burst takes). */
const MAX_IN_FLIGHT = 256;

export class PgPipeline extends PgStatementQueue implements Sql {
  readonly dialect = 'pg' as const;
  readonly forUpdate = ' FOR UPDATE';
  private readonly conns: Conn[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly config: pg.ClientConfig,
    prepared: Prepared,
    private readonly connections: number,
  ) {
    super(prepared);
  }

  private conn(): Conn | undefined {
    let best: Conn | undefined;
    for (const c of this.conns) if (!best || c.inFlight < best.inFlight) best = c;
    if ((!best || best.inFlight > 0) && this.conns.length < this.connections) return this.open();
    return best;
  }

  private open(): Conn {
    const client = new pg.Client({ ...this.config, pipeline: true });
    const c: Conn = { client, inFlight: 0, ready: client.connect().then(() => undefined) };
    this.conns.push(c);
    const drop = () => {
      const i = this.conns.indexOf(c);
      if (i >= 0) this.conns.splice(i, 1);
    };
    client.on('error', drop); // its queries fail with the error; the next flush opens another
    client.on('end', drop);
    c.ready.catch(drop);
    return c;
  }

  /** Sends what is queued, one write per connection. */
  protected drain(): void {
    this.flush();
  }

  private flush(): void {
    while (this.queue.length > 0) {
      const c = this.conn();
      if (!c || c.inFlight >= MAX_IN_FLIGHT) {
        // Every connection is full: the next answer flushes again.
        return;
      }
      const batch = this.queue.splice(0, MAX_IN_FLIGHT - c.inFlight);
      c.inFlight += batch.length;
      void c.ready.then(() => {
        const stream = (c.client as unknown as { connection?: { stream?: { cork?: () => void; uncork?: () => void } } }).connection?.stream;
        stream?.cork?.();
        for (const q of batch) {
          const p: Promise<unknown> = c.client.query({ text: q.text, name: q.name, values: q.values }).then(q.resolve, q.reject).finally(() => {
            c.inFlight--;
            this.inFlight.delete(p);
            if (this.queue.length > 0 && !this.scheduled) this.flush();
          });
          this.inFlight.add(p);
        }
        stream?.uncork?.();
      }, (err: unknown) => {
        c.inFlight -= batch.length;
        for (const q of batch) q.reject(err);
      });
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const q of this.queue.splice(0)) q.reject(new Error('the database is closed'));
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    await Promise.allSettled(this.conns.splice(0).map(async (c) => { await c.ready.catch(() => undefined); await c.client.end(); }));
  }
}
