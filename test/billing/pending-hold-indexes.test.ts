import { expect } from 'chai';
import { holdsOfCall } from '../../billing/calls/call-holds';
import { cardById } from '../../billing/cards/card-rows';
import { createHold, expireOverdueHolds } from '../../billing/holds/hold-engine';
import { createMerchant } from '../../billing/merchants/merchants';
import type { TxContext } from '../../billing/shared/context';
import { unwrap } from '../../billing/shared/errors';
import type { Sql, SqlValue } from '../../billing/store/sql/database';
import type { PostgresDatabase } from '../../billing/store/sql/postgres';
import type { SqliteDatabase } from '../../billing/store/sql/sqlite';
import { createTestBilling, KINDS, requireKind } from '../support/databases';
import type { TestBilling } from '../support/databases';

interface Seen { sql: string; params: readonly SqlValue[] }

/** `inner`, recording every statement it runs. */
function recording(inner: Sql, seen: Seen[]): Sql {
  return {
    dialect: inner.dialect,
    forUpdate: inner.forUpdate,
    all: <T>(sql: string, params: readonly SqlValue[] = []) => { seen.push({ sql, params }); return inner.all<T>(sql, params); },
    one: <T>(sql: string, params: readonly SqlValue[] = []) => { seen.push({ sql, params }); return inner.one<T>(sql, params); },
    run: (sql: string, params: readonly SqlValue[] = []) => { seen.push({ sql, params }); return inner.run(sql, params); },
  };
}

interface PlanNode { 'Node Type': string; 'Relation Name'?: string; 'Index Name'?: string; Plans?: PlanNode[] }
const nodes = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodes)];

/**
 * The holds' indexes are partial (migration 012): by card and by expiry for the pending holds only,
 * by call for the holds that have one. An index whose condition the query does not state is
 * unusable, and the query then reads the whole table. These are the statements the product sends
 * when it looks holds up (recorded as the product runs them), each explained on the database: it must
 * go through its partial index. On PostgreSQL with sequential scans priced out and the generic plan
 * forced, as a prepared statement ends up running.
 */
for (const kind of KINDS) {
  describe(`the product's hold lookups use the partial indexes (${kind})`, function () {
    this.timeout(60_000);
    let t: TestBilling;
    let merchant: number;
    before(async function () {
      await requireKind(this, kind);
      t = await createTestBilling(kind);
      merchant = unwrap(await t.billing.tx((ctx) => createMerchant(ctx, 'Indexes'))).merchant.id;
    });
    after(async () => t?.close());

    /** What `step` sent that reads holds (not the writes), run in a transaction with a recording `q`. */
    const lookups = async (step: (ctx: TxContext) => Promise<unknown>): Promise<Seen[]> => {
      const seen: Seen[] = [];
      await t.billing.tx((ctx) => step({ ...ctx, q: recording(ctx.q, seen) }));
      return seen.filter((s) => /^\s*SELECT\b[\s\S]*\bFROM holds\b/i.test(s.sql));
    };

    /** The indexes (or full scans) each read of holds in `s` takes. */
    const accessPaths = async (s: Seen): Promise<string[]> => {
      if (kind === 'sqlite') {
        const plan = (t.billing.db as SqliteDatabase).raw.prepare(`EXPLAIN QUERY PLAN ${s.sql}`).all(...s.params) as Array<{ detail: string }>;
        return plan.map((r) => r.detail).filter((d) => /\bholds\b/.test(d)).map((d) => /INDEX (\w+)/.exec(d)?.[1] ?? `full scan: ${d}`);
      }
      const client = await (t.billing.db as PostgresDatabase).pool.connect();
      try {
        await client.query('SET enable_seqscan = off');
        await client.query('SET plan_cache_mode = force_generic_plan');
        let n = 0;
        await client.query(`PREPARE lookup AS ${s.sql.replace(/\?/g, () => `$${++n}`)}`);
        const literal = (v: SqlValue) => (v === null ? 'NULL' : typeof v === 'number' ? String(v) : `'${String(v)}'`);
        const r = await client.query(`EXPLAIN (FORMAT JSON) EXECUTE lookup(${s.params.map(literal).join(', ')})`);
        const plan = (r.rows[0]!['QUERY PLAN'] as Array<{ Plan: PlanNode }>)[0]!.Plan;
        return nodes(plan).filter((p) => p['Relation Name'] === 'holds').map((p) => p['Index Name'] ?? `full scan: ${p['Node Type']}`);
      } finally {
        await client.query('DEALLOCATE ALL').catch(() => undefined);
        await client.query('RESET enable_seqscan').catch(() => undefined);
        await client.query('RESET plan_cache_mode').catch(() => undefined);
        client.release();
      }
    };

    it('a card short of money releasing its overdue holds: through an index of the pending holds', async () => {
      const card = await t.billing.issueCard({ value_minor: 1_000, currency: 'USD' });
      const hold = { kind: 'merchant' as const, merchant_id: merchant, currency: 'USD', ttl_ms: 1_000 };
      unwrap(await t.billing.tx(async (ctx) => createHold(ctx, (await cardById(ctx.q, card.card_id))!, { ...hold, amount_minor: 900 })));
      t.clock.advance(2_000);
      const seen = await lookups(async (ctx) => unwrap(await createHold(ctx, (await cardById(ctx.q, card.card_id))!, { ...hold, amount_minor: 500 })));
      expect(seen, 'the overdue holds were looked for').to.have.length(1);
      // Either index of the pending holds serves (by card, or by expiry with the card checked): the
      // planner picks by its statistics.
      const paths = await accessPaths(seen[0]!);
      expect(paths).to.have.length(1);
      expect(paths[0]).to.be.oneOf(['holds_pending_card_index', 'holds_pending_expiry_index']);
    });

    it('the sweeper: by expiry, pending only', async () => {
      const seen = await lookups((ctx) => expireOverdueHolds(ctx, 100));
      expect(seen).to.have.length(1);
      expect(await accessPaths(seen[0]!)).to.deep.equal(['holds_pending_expiry_index']);
    });

    it('a call\'s holds: by call', async () => {
      const seen = await lookups((ctx) => holdsOfCall(ctx, 'call_indexes'));
      expect(seen).to.have.length(1);
      expect(await accessPaths(seen[0]!)).to.deep.equal(['holds_call_index']);
    });
  });
}
