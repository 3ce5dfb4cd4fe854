import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { merchantPayable } from '../../billing/ledger/accounts';

/**
 * The ceiling: the same rows written by the bare drivers with no abstraction — one hold
 * transaction (reserve on the card row, insert the hold, with its merchant as the core's hold has
 * it) and one capture transaction (release, entry, two postings, balance, hold status) — so the
 * ratio shows what our layers cost.
 */
export function rawSqlitePairs(file: string, cardIds: number[], merchant: number, pairs: number, synchronous: 'NORMAL' | 'FULL' = 'NORMAL'): number {
  const db = new BetterSqlite3(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  const reserve = db.prepare('UPDATE cards SET pending_minor = pending_minor + ? WHERE id = ? AND balance_minor - pending_minor >= ?');
  const insHold = db.prepare("INSERT INTO holds (id, card_id, kind, merchant_id, currency, amount_minor, status, expires_at_ms, created_at_ms, updated_at_ms) VALUES (?, ?, 'merchant', ?, 'USD', ?, 'pending', ?, ?, ?)");
  const release = db.prepare('UPDATE cards SET pending_minor = pending_minor - ? WHERE id = ?');
  const entry = db.prepare("INSERT INTO ledger_entries (kind, card_id, hold_id, created_at_ms) VALUES ('capture', ?, ?, ?) RETURNING id");
  const postings = db.prepare('INSERT INTO postings (entry_id, account, card_id, amount_minor, currency) VALUES (?, ?, ?, ?, ?), (?, ?, ?, ?, ?)');
  const balance = db.prepare('UPDATE cards SET balance_minor = balance_minor + ? WHERE id = ?');
  const holdDone = db.prepare("UPDATE holds SET status = 'captured', captured_minor = ?, updated_at_ms = ? WHERE id = ?");
  const hold = db.transaction((id: string, card: number, now: number) => {
    reserve.run(1, card, 1);
    insHold.run(id, card, merchant, 1, now + 60_000, now, now);
  });
  const capture = db.transaction((id: string, card: number, now: number) => {
    release.run(1, card);
    const e = entry.get(card, id, now) as { id: number };
    postings.run(e.id, `card:${card}`, card, -1, 'USD', e.id, `merchant:${merchant}:payable`, null, 1, 'USD');
    balance.run(-1, card);
    holdDone.run(1, now, id);
  });
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < pairs; i++) {
    const card = cardIds[i % cardIds.length] as number;
    const id = `raw_${synchronous}_${i}`;
    hold(id, card, Date.now());
    capture(id, card, Date.now());
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  db.close();
  return (pairs * 2) / s;
}

/**
 * PostgreSQL: the same two transactions in the four forms the driver allows, each run with the
 * same number of concurrent workers; the ceiling is the best of them.
 *   statements — BEGIN, one statement per row, COMMIT (what an ORM or a naive store sends);
 *   one-statement — each transaction as ONE prepared statement (data-modifying CTEs), autocommit,
 *     one connection per worker;
 *   pipelined batches — the one-statement transactions of all workers that are waiting, sent
 *     together down one of two pipelined connections inside one BEGIN … COMMIT (group commit by hand);
 *   one-Sync batches — the same batches written as ONE extended-protocol exchange with a single
 *     Sync at its end (pg's queries end each statement with a Sync, and PostgreSQL flushes its
 *     output at every Sync), the form the billing core's group commit uses (billing/store/sql/pg-batch.ts).
 * Each form stays connected between runs, so the bench can interleave short runs of every form
 * with runs of the billing core (bench/ledger/run.ts).
 */
export interface PairRunner {
  name: string;
  /** Runs `pairs` hold+capture pairs over `cardIds` with the bench's workers; resolves to the seconds taken. */
  run(cardIds: readonly number[], pairs: number): Promise<number>;
  close(): Promise<void>;
}

/** $1 hold id, $2 card, $3 expiry, $4 now, $5 merchant. */
const HOLD_CTE = `WITH card AS (UPDATE cards SET pending_minor = pending_minor + 1 WHERE id = $2 AND balance_minor - pending_minor >= 1 RETURNING id)
INSERT INTO holds (id, card_id, kind, merchant_id, currency, amount_minor, status, expires_at_ms, created_at_ms, updated_at_ms)
SELECT $1, card.id, 'merchant', $5, 'USD', 1, 'pending', $3, $4, $4 FROM card`;
/** $1 hold id, $2 now, $3 the merchant's account. */
const CAPTURE_CTE = `WITH hold AS (UPDATE holds SET status = 'captured', captured_minor = 1, updated_at_ms = $2 WHERE id = $1 AND status = 'pending' RETURNING id, card_id),
card AS (UPDATE cards SET pending_minor = pending_minor - 1, balance_minor = balance_minor - 1 FROM hold WHERE cards.id = hold.card_id RETURNING cards.id),
entry AS (INSERT INTO ledger_entries (kind, card_id, hold_id, created_at_ms) SELECT 'capture', hold.card_id, hold.id, $2 FROM hold RETURNING id, card_id)
INSERT INTO postings (entry_id, account, card_id, amount_minor, currency)
SELECT entry.id, 'card:' || entry.card_id, entry.card_id, -1, 'USD' FROM entry UNION ALL SELECT entry.id, $3, NULL, 1, 'USD' FROM entry`;

type Tx = (c: pg.ClientBase, id: string, card: number, now: number) => Promise<void>;

/** Hold ids stay unique across repeated runs on one database. */
let runs = 0;

/** `concurrency` workers each taking the next pair until `pairs` are done; the seconds taken. */
export async function timedWorkers(concurrency: number, pairs: number, pair: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < pairs; i = next++) await pair(i);
  };
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** One pooled connection per worker, held for the run. */
function pooledForm(url: string, concurrency: number, name: string, prefix: string, hold: Tx, capture: Tx): PairRunner {
  const pool = new pg.Pool({ connectionString: url, max: concurrency });
  pool.on('error', () => undefined); // an idle connection closing (the database dropped after a failure) is not the news
  return {
    name,
    async run(cardIds, pairs) {
      const run = ++runs;
      const clients = await Promise.all(Array.from({ length: concurrency }, () => pool.connect()));
      const free = [...clients];
      try {
        return await timedWorkers(concurrency, pairs, async (i) => {
          const c = free.pop()!;
          try {
            const card = cardIds[i % cardIds.length] as number;
            const id = `${prefix}${run}_${i}`;
            const now = Date.now();
            await hold(c, id, card, now);
            await capture(c, id, card, now);
          } finally {
            free.push(c);
          }
        });
      } finally {
        for (const c of clients) c.release();
      }
    },
    close: () => pool.end(),
  };
}

function rawStatements(url: string, concurrency: number, merchant: number): PairRunner {
  return pooledForm(url, concurrency, 'statements', 'raw_s', async (c, id, card, now) => {
    await c.query('BEGIN');
    await c.query({ name: 'r1', text: 'UPDATE cards SET pending_minor = pending_minor + 1 WHERE id = $1 AND balance_minor - pending_minor >= 1', values: [card] });
    await c.query({ name: 'r2', text: "INSERT INTO holds (id, card_id, kind, merchant_id, currency, amount_minor, status, expires_at_ms, created_at_ms, updated_at_ms) VALUES ($1, $2, 'merchant', $5, 'USD', 1, 'pending', $3, $4, $4)", values: [id, card, now + 60_000, now, merchant] });
    await c.query('COMMIT');
  }, async (c, id, card, now) => {
    await c.query('BEGIN');
    await c.query({ name: 'r3', text: 'SELECT id FROM holds WHERE id = $1 FOR UPDATE', values: [id] });
    await c.query({ name: 'r4', text: 'UPDATE cards SET pending_minor = pending_minor - 1 WHERE id = $1', values: [card] });
    const e = await c.query({ name: 'r5', text: "INSERT INTO ledger_entries (kind, card_id, hold_id, created_at_ms) VALUES ('capture', $1, $2, $3) RETURNING id", values: [card, id, now] });
    await c.query({ name: 'r6', text: "INSERT INTO postings (entry_id, account, card_id, amount_minor, currency) VALUES ($1, $2, $3, -1, 'USD'), ($1, $4, NULL, 1, 'USD')", values: [e.rows[0].id, `card:${card}`, card, merchantPayable(merchant)] });
    await c.query({ name: 'r7', text: 'UPDATE cards SET balance_minor = balance_minor - 1 WHERE id = $1', values: [card] });
    await c.query({ name: 'r8', text: "UPDATE holds SET status = 'captured', captured_minor = 1, updated_at_ms = $1 WHERE id = $2", values: [now, id] });
    await c.query('COMMIT');
  });
}

function rawOneStatement(url: string, concurrency: number, merchant: number): PairRunner {
  return pooledForm(url, concurrency, 'one-statement', 'raw_o',
    async (c, id, card, now) => { await c.query({ name: 'o1', text: HOLD_CTE, values: [id, card, now + 60_000, now, merchant] }); },
    async (c, id, _card, now) => { await c.query({ name: 'o2', text: CAPTURE_CTE, values: [id, now, merchantPayable(merchant)] }); });
}

interface Queued { name: 'o1' | 'o2'; values: unknown[]; done: () => void }
const TEXTS = { o1: HOLD_CTE, o2: CAPTURE_CTE };

/**
 * Group commit by hand: whatever the workers have queued goes, as one batch of at most 32, to
 * `write` on an idle one of `clients`, which calls `answered` once the batch has committed.
 */
function batchedForm<C>(name: string, prefix: string, concurrency: number, merchant: number, clients: C[], write: (c: C, batch: Queued[], answered: () => void) => void, close: () => Promise<void>): PairRunner {
  const idle = [...clients];
  const queue: Queued[] = [];
  let scheduled = false;
  const pump = () => {
    while (queue.length > 0 && idle.length > 0) {
      const c = idle.pop()!;
      const batch = queue.splice(0, 32);
      write(c, batch, () => { for (const b of batch) b.done(); idle.push(c); pump(); });
    }
  };
  const send = (statement: Queued['name'], values: unknown[]) => new Promise<void>((done) => {
    queue.push({ name: statement, values, done });
    if (!scheduled) { scheduled = true; setImmediate(() => { scheduled = false; pump(); }); }
  });
  return {
    name,
    run(cardIds, pairs) {
      const run = ++runs;
      return timedWorkers(concurrency, pairs, async (i) => {
        const card = cardIds[i % cardIds.length] as number;
        const id = `${prefix}${run}_${i}`;
        const now = Date.now();
        await send('o1', [id, card, now + 60_000, now, merchant]);
        await send('o2', [id, now, merchantPayable(merchant)]);
      });
    },
    close,
  };
}

/** Each batch as one pipelined BEGIN … COMMIT, the statements corked into one write. */
async function rawPipelinedBatches(url: string, concurrency: number, merchant: number): Promise<PairRunner> {
  const clients = await Promise.all([0, 1].map(async () => { const c = new pg.Client({ connectionString: url, pipeline: true }); await c.connect(); return c; }));
  return batchedForm('pipelined batches', 'raw_p', concurrency, merchant, clients, (c, batch, answered) => {
    const stream = (c as unknown as { connection: { stream: { cork(): void; uncork(): void } } }).connection.stream;
    stream.cork();
    const all = [c.query('BEGIN'), ...batch.map((b) => c.query({ name: b.name, text: TEXTS[b.name], values: b.values })), c.query('COMMIT')];
    stream.uncork();
    void Promise.all(all).then(answered);
  }, async () => { await Promise.all(clients.map((c) => c.end())); });
}

/** The protocol connection under a pg.Client (pg/lib/connection.js), as a batch writes to it. */
interface Wire {
  stream: { cork(): void; uncork(): void };
  bind(m: { statement: string; values: Array<string | null> }): void;
  execute(m: { portal: string }): void;
  sync(): void;
}

/**
 * Each batch with one Sync: a pg Submittable that writes BEGIN, the queued statements and COMMIT
 * (prepared once per connection) as Bind and Execute messages, then one Sync.
 */
async function rawOneSyncBatches(url: string, concurrency: number, merchant: number): Promise<PairRunner> {
  const prepared: Record<string, string> = { b: 'BEGIN', k: 'COMMIT', ...TEXTS };
  const clients = await Promise.all([0, 1].map(async () => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    // Prepared by running each once through pg: the CTEs with NULL ids match no row and write nothing.
    for (const [name, text] of Object.entries(prepared)) await c.query({ name, text, values: name === 'o1' ? [null, null, null, null, null] : name === 'o2' ? [null, null, null] : [] });
    return c;
  }));
  return batchedForm('one-Sync batches', 'raw_y', concurrency, merchant, clients, (c, batch, answered) => {
    void c.query({
      submit(connection: unknown) {
        const wire = connection as Wire;
        wire.stream.cork();
        for (const [name, values] of [['b', []], ...batch.map((b) => [b.name, b.values] as const), ['k', []]] as Array<readonly [string, unknown[]]>) {
          wire.bind({ statement: name, values: values.map((v) => (v === null ? null : String(v))) });
          wire.execute({ portal: '' });
        }
        wire.sync();
        wire.stream.uncork();
      },
      handleCommandComplete() {},
      handleReadyForQuery: answered,
      handleError(err: unknown) { process.nextTick(() => { throw err; }); }, // the ceiling's SQL never fails: a failure ends the bench
    } as unknown as pg.QueryConfig);
  }, async () => { await Promise.all(clients.map((c) => c.end())); });
}

/** The four raw forms, connected; their holds are `merchant`'s, as the core's are. */
export async function rawPgForms(url: string, concurrency: number, merchant: number): Promise<PairRunner[]> {
  return [rawStatements(url, concurrency, merchant), rawOneStatement(url, concurrency, merchant), await rawPipelinedBatches(url, concurrency, merchant), await rawOneSyncBatches(url, concurrency, merchant)];
}
