import { expect } from 'chai';
import { CAPTURE_SQL, VOID_SQL } from '../../billing/holds/one-statement';
import type { HoldOwner } from '../../billing/holds/one-statement';
import { createMerchant } from '../../billing/merchants/merchants';
import { unwrap } from '../../billing/shared/errors';
import type { PostgresDatabase } from '../../billing/store/sql/postgres';
import { createTestBilling, requireKind } from '../support/databases';
import type { TestBilling } from '../support/databases';

interface PlanNode { 'Node Type': string; 'Relation Name'?: string; 'Index Name'?: string; 'Actual Rows'?: number; 'Rows Removed by Filter'?: number; Plans?: PlanNode[] }
const nodes = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodes)];

/**
 * The plans PostgreSQL keeps for the one-statement capture and void (prepared statements run with
 * a generic plan after a few executions). They must reach the hold by its primary key and its row,
 * whatever the statistics say. Here the statistics are taken while no hold is pending, and then
 * thousands are: the index on (status, expires_at_ms) then looks like the cheapest way to find
 * "the pending hold with this id", and a plan taking it reads every pending hold for each move.
 */
describe('one-statement hold moves: their generic plans on PostgreSQL', () => {
  let t: TestBilling;
  let merchant: number;
  const PENDING = 3000;

  before(async function () {
    await requireKind(this, 'pg');
    this.timeout(60_000);
    t = await createTestBilling('pg');
    const card = (await t.billing.issueCard({ value_minor: 100_000_000, currency: 'USD' })).card_id;
    merchant = unwrap(await t.billing.tx((ctx) => createMerchant(ctx, 'Plans'))).merchant.id;
    const q = t.billing.read().q;
    const now = t.clock.ms;
    const insert = (prefix: string, status: string) => q.run(
      `INSERT INTO holds (id, card_id, kind, merchant_id, currency, amount_minor, captured_minor, refunded_minor, status, expires_at_ms, created_at_ms, updated_at_ms)
       SELECT '${prefix}' || g, ?, 'merchant', ?, 'USD', 1, 0, 0, '${status}', ?, ?, ? FROM generate_series(1, ${PENDING}) g`,
      [card, merchant, now + 3_600_000, now, now]);
    await q.run('ALTER TABLE holds SET (autovacuum_enabled = false)');
    await insert('done-', 'captured');
    await q.run('ANALYZE holds');
    await insert('pending-', 'pending');
    await q.run('UPDATE cards SET pending_minor = ? WHERE id = ?', [PENDING, card]);
  });

  after(async () => { await t?.close(); });

  const cases: Array<{ move: string; owner: HoldOwner['kind']; sql: () => string; params: (id: string, now: number) => unknown[] }> = [];
  for (const owner of ['any', 'merchant'] as const) {
    cases.push({ move: 'capture', owner, sql: () => CAPTURE_SQL[owner], params: (id, now) => [id, 1, now, 'capture', `merchant:${merchant}:payable`, owner === 'merchant' ? merchant : null] });
    cases.push({ move: 'void', owner, sql: () => VOID_SQL[owner], params: (id, now) => [id, now, null, null, null, owner === 'merchant' ? merchant : null] });
  }

  for (const [i, c] of cases.entries()) {
    it(`a ${c.move} (${c.owner} owner) finds its hold by primary key and row, not by scanning the pending ones`, async () => {
      const client = await (t.billing.db as PostgresDatabase).pool.connect();
      try {
        await client.query('SET plan_cache_mode = force_generic_plan');
        await client.query(`PREPARE move${i} AS ${c.sql()}`);
        await client.query('BEGIN');
        const literal = (v: unknown) => (v === null ? 'NULL' : typeof v === 'number' ? String(v) : `'${String(v)}'`);
        const r = await client.query(`EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE move${i}(${c.params(`pending-${i + 1}`, t.clock.ms).map(literal).join(', ')})`);
        await client.query('ROLLBACK');
        const plan = (r.rows[0]!['QUERY PLAN'] as Array<{ Plan: PlanNode }>)[0]!.Plan;
        const all = nodes(plan);
        const update = all.find((n) => n['Node Type'] === 'ModifyTable' && n['Relation Name'] === 'holds');
        expect(update?.['Actual Rows'] ?? (update?.Plans?.[0]?.['Actual Rows']), 'the hold was moved').to.equal(1);
        const holdScans = all.filter((n) => n['Relation Name'] === 'holds' && n['Node Type'] !== 'ModifyTable');
        expect(holdScans.map((n) => n['Index Name'] ?? n['Node Type'])).to.not.include('holds_status_expires_at_ms_index');
        expect(Math.max(0, ...holdScans.map((n) => n['Rows Removed by Filter'] ?? 0)), 'pending holds read and thrown away').to.equal(0);
      } finally {
        await client.query('DEALLOCATE ALL').catch(() => undefined);
        await client.query('RESET plan_cache_mode').catch(() => undefined);
        client.release();
      }
    });
  }
});
