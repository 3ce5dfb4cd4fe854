import { expect } from 'chai';
import { CAPTURE_SQL, DECLINED_READ_SQL, RESERVE_SQL, VOID_SQL } from '../../billing/holds/one-statement';
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
 * and a call's record by its primary key, whatever the statistics say. Here the statistics are taken
 * while no hold is pending and no call active, and then thousands are: an index of the pending
 * holds (by expiry or by card), or the one on call_records (status), then looks like the cheapest
 * way to find "the pending hold (active call) with this id", and a plan taking it reads every one
 * for each move.
 */
describe('one-statement hold moves: their generic plans on PostgreSQL (holds and call records found by primary key)', () => {
  let t: TestBilling;
  let merchant: number;
  let card: number;
  const PENDING = 3000;

  before(async function () {
    await requireKind(this, 'pg');
    this.timeout(60_000);
    t = await createTestBilling('pg');
    card = (await t.billing.issueCard({ value_minor: 100_000_000, currency: 'USD' })).card_id;
    merchant = unwrap(await t.billing.tx((ctx) => createMerchant(ctx, 'Plans'))).merchant.id;
    const q = t.billing.read().q;
    const now = t.clock.ms;
    const insert = (prefix: string, status: string) => q.run(
      `INSERT INTO holds (id, card_id, kind, merchant_id, currency, amount_minor, captured_minor, refunded_minor, status, expires_at_ms, created_at_ms, updated_at_ms)
       SELECT '${prefix}' || g, ?, 'merchant', ?, 'USD', 1, 0, 0, '${status}', ?, ?, ? FROM generate_series(1, ${PENDING}) g`,
      [card, merchant, now + 3_600_000, now, now]);
    const calls = (prefix: string, status: string) => q.run(
      `INSERT INTO call_records (id, card_id, status, ivr_node, started_at_ms) SELECT '${prefix}' || g, ?, '${status}', 'n1', ? FROM generate_series(1, ${PENDING}) g`, [card, now]);
    for (const table of ['holds', 'call_records']) await q.run(`ALTER TABLE ${table} SET (autovacuum_enabled = false)`);
    await insert('done-', 'captured');
    await calls('ended-', 'completed');
    await q.run('ANALYZE holds');
    await q.run('ANALYZE call_records');
    await insert('pending-', 'pending');
    await calls('live-', 'active');
    // The chunks of live calls, pending too.
    await q.run(
      `INSERT INTO holds (id, card_id, kind, call_id, currency, amount_minor, captured_minor, refunded_minor, status, expires_at_ms, created_at_ms, updated_at_ms)
       SELECT 'chunk-' || g, ?, 'call', 'live-' || g, 'USD', 1, 0, 0, 'pending', ?, ?, ? FROM generate_series(1, ${PENDING}) g`,
      [card, now + 3_600_000, now, now]);
    await q.run('UPDATE cards SET pending_minor = ? WHERE id = ?', [2 * PENDING, card]);
  });

  after(async () => { await t?.close(); });

  const cases: Array<{ move: string; owner: HoldOwner['kind']; sql: () => string; hold: (i: number) => string; params: (id: string, now: number) => unknown[] }> = [];
  const ownerOf = (owner: HoldOwner['kind']) => (owner === 'merchant' ? merchant : owner === 'call' ? 'n1' : null);
  for (const owner of ['any', 'merchant', 'call'] as const) {
    const hold = (i: number) => `${owner === 'call' ? 'chunk' : 'pending'}-${i + 1}`;
    cases.push({ move: 'capture', owner, hold, sql: () => CAPTURE_SQL[owner], params: (id, now) => [id, 1, now, 'capture', `merchant:${merchant}:payable`, ownerOf(owner)] });
    cases.push({ move: 'void', owner, hold, sql: () => VOID_SQL[owner], params: (id, now) => [id, now, null, null, null, ownerOf(owner)] });
  }
  // A live call's next chunk, reserved while the call is still active and owned by node n1.
  cases.push({ move: 'chunk reservation', owner: 'call', hold: (i) => `new-chunk-${i}`, sql: () => RESERVE_SQL,
    params: (id, now) => [1, now, card, 'USD', id, 'call', null, 'live-7', 'live-7', null, now + 60_000, 'n1', null] });
  // When a chunk reservation declined: the card's money read, locked, while the call is still n1's.
  cases.push({ move: 'declined chunk\'s read', owner: 'call', hold: () => '', sql: () => DECLINED_READ_SQL, params: () => [card, 'USD', 'live-8', 'n1'] });

  for (const [i, c] of cases.entries()) {
    it(`a ${c.move} (${c.owner} owner) finds its rows by primary key, not by scanning the pending holds or active calls`, async () => {
      const client = await (t.billing.db as PostgresDatabase).pool.connect();
      try {
        await client.query('SET plan_cache_mode = force_generic_plan');
        await client.query(`PREPARE move${i} AS ${c.sql()}`);
        await client.query('BEGIN');
        const literal = (v: unknown) => (v === null ? 'NULL' : typeof v === 'number' ? String(v) : `'${String(v)}'`);
        const r = await client.query(`EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE move${i}(${c.params(c.hold(i), t.clock.ms).map(literal).join(', ')})`);
        await client.query('ROLLBACK');
        const plan = (r.rows[0]!['QUERY PLAN'] as Array<{ Plan: PlanNode }>)[0]!.Plan;
        const all = nodes(plan);
        const write = c.move === 'declined chunk\'s read'
          ? plan // the card's row, locked
          : all.find((n) => n['Node Type'] === 'ModifyTable' && n['Relation Name'] === (c.move === 'chunk reservation' ? 'cards' : 'holds'));
        expect(write?.['Actual Rows'] ?? (write?.Plans?.[0]?.['Actual Rows']), 'the move was made').to.equal(1);
        const scans = all.filter((n) => (n['Relation Name'] === 'holds' || n['Relation Name'] === 'call_records') && n['Node Type'] !== 'ModifyTable');
        if (c.owner === 'call') expect(scans.map((n) => n['Relation Name']), 'the call record is checked').to.include('call_records');
        expect(scans.map((n) => n['Index Name'] ?? n['Node Type'])).to.not.include.members(['holds_pending_expiry_index', 'holds_pending_card_index', 'call_records_status_index']);
        expect(Math.max(0, ...scans.map((n) => n['Rows Removed by Filter'] ?? 0)), 'pending holds or active calls read and thrown away').to.equal(0);
      } finally {
        await client.query('DEALLOCATE ALL').catch(() => undefined);
        await client.query('RESET plan_cache_mode').catch(() => undefined);
        client.release();
      }
    });
  }
});
