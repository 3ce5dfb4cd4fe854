import { isPostgres, orGeneralPath } from '../holds/one-statement';
import { activeCall } from './active-call-sql';
import { TELEPHONY_REVENUE } from '../ledger/accounts';
import type { TxContext } from '../shared/context';
import { buyCost } from './call-carrier';
import type { CallRecord } from './call-records';

/** What a call's final bill writes into its record. */
export type CallClose = Pick<CallRecord, 'billed_seconds' | 'cost_minor' | 'captured_minor' | 'talk_ms' | 'hangup_cause' | 'answered_at_ms' | 'ended_at_ms'> & { status: 'completed' | 'failed' };

/** One still-pending chunk of the bill: `amount_minor` of it captured, 0 voids it. */
export interface ChunkSettlement { hold_id: string; amount_minor: number }

/**
 * $1 call, $2 IVR node, $3 the carrier rate snapshot the record must have (NULL: none), $4 the
 * chunks as JSON [{hold_id, amount_minor}], $5 now, $6 entry kind, $7 account credited, $8… the
 * record's closing fields, $16/$17 the buy side (NULL: none, left as it is).
 *
 * - `rec`, `locked`: the call record, the chunks' holds and their card, locked now or not at all
 *   (see cardLockedNow). Rows locked FOR UPDATE come back as their newest version, so `ready`
 *   decides on what no one can change any more until COMMIT.
 * - `ready`: the call is active, owned by $2 and has carrier rate $3 (a carrier the SIP edge sets
 *   meanwhile makes the statement decline, never close the call without its buy cost), and EVERY
 *   chunk is a pending hold of this call that its settlement fits: a void, or a capture of 1…held
 *   before the hold expires — the cases where CallMetering.finish's transaction succeeds.
 * - The writes all wait for `ready`: either all of them happen or none.
 */
const FINISH_SQL = `
WITH rec AS (
  SELECT id FROM call_records WHERE id = $1 AND ivr_node = $2 AND ${activeCall()} AND buy_rate_json IS NOT DISTINCT FROM $3::text
  FOR UPDATE SKIP LOCKED
),
moves AS (SELECT hold_id, amount_minor FROM jsonb_to_recordset($4::jsonb) AS m(hold_id text, amount_minor bigint)),
locked AS (
  SELECT h.id, h.call_id, h.status, h.amount_minor, h.expires_at_ms FROM holds h JOIN cards c ON c.id = h.card_id
  WHERE h.id IN (SELECT hold_id FROM moves) FOR UPDATE OF h, c SKIP LOCKED
),
ready AS (
  SELECT EXISTS (SELECT 1 FROM rec) AND (
    SELECT COUNT(*) FROM locked l JOIN moves m ON m.hold_id = l.id
    WHERE l.call_id = $1 AND l.status = 'pending' AND (m.amount_minor = 0 OR (m.amount_minor > 0 AND m.amount_minor <= l.amount_minor AND l.expires_at_ms > $5))
  ) = jsonb_array_length($4::jsonb) AS go
),
hold AS (
  UPDATE holds SET status = CASE WHEN m.amount_minor = 0 THEN 'voided' ELSE 'captured' END,
    captured_minor = CASE WHEN m.amount_minor = 0 THEN holds.captured_minor ELSE m.amount_minor END, updated_at_ms = $5
  FROM moves m WHERE holds.id = m.hold_id AND (SELECT go FROM ready)
  RETURNING holds.id, holds.card_id, holds.amount_minor, holds.captured_minor, holds.status, holds.currency, holds.reference
),
card AS (
  UPDATE cards SET pending_minor = pending_minor - s.held, balance_minor = balance_minor - s.taken
  FROM (SELECT card_id, SUM(amount_minor) AS held, COALESCE(SUM(captured_minor) FILTER (WHERE status = 'captured'), 0) AS taken FROM hold GROUP BY card_id) s
  WHERE cards.id = s.card_id
),
entry AS (
  INSERT INTO ledger_entries (kind, card_id, hold_id, reference, created_at_ms)
  SELECT $6, hold.card_id, hold.id, hold.reference, $5 FROM hold WHERE hold.status = 'captured' ORDER BY hold.id
  RETURNING id, hold_id
),
posting AS (
  INSERT INTO postings (entry_id, account, card_id, amount_minor, currency)
  SELECT entry.id, 'card:' || hold.card_id, hold.card_id, -hold.captured_minor, hold.currency FROM entry JOIN hold ON hold.id = entry.hold_id
  UNION ALL SELECT entry.id, $7, NULL, hold.captured_minor, hold.currency FROM entry JOIN hold ON hold.id = entry.hold_id
),
closed AS (
  UPDATE call_records SET billed_seconds = $8, cost_minor = $9, captured_minor = $10, talk_ms = $11, hangup_cause = $12, answered_at_ms = $13,
    ended_at_ms = $14, status = $15, buy_billed_seconds = COALESCE($16, buy_billed_seconds), buy_cost_minor = COALESCE($17, buy_cost_minor)
  WHERE id = (SELECT id FROM rec) AND (SELECT go FROM ready)
  RETURNING id
)
SELECT (SELECT COUNT(*) FROM closed)::int AS closed, (SELECT buy_rate_json FROM call_records WHERE id = $1) AS buy_rate_json`;

/**
 * A call's final bill in ONE PostgreSQL statement (group committed, the answer after COMMIT): its
 * pending chunks captured or voided, into telephony revenue with one balanced entry each, the call
 * record closed with `close` and, when the SIP edge named the carrier, its buy cost — what
 * CallMetering.finish writes in a transaction. True when done; false (nothing written) when the
 * transaction must decide: a chunk expired or already settled, the call taken over or ended, a row
 * locked by another transaction, or on SQLite. The carrier's rate is learnt from the first
 * attempt's answer, so a call with a carrier takes two statements.
 */
export async function finishInOneStatement(
  ctx: Pick<TxContext, 'q' | 'now_ms'>, call_id: string, ivr_node: string, chunks: readonly ChunkSettlement[], close: CallClose,
): Promise<boolean> {
  if (!isPostgres(ctx.q) || !chunks.every((c) => Number.isSafeInteger(c.amount_minor) && c.amount_minor >= 0)) return false;
  const moves = JSON.stringify(chunks.map((c) => ({ hold_id: c.hold_id, amount_minor: c.amount_minor })));
  let buy_rate_json: string | null = null;
  for (let attempt = 0; attempt < 2; attempt++) {
    const buy = buyCost(buy_rate_json, close.talk_ms, close.answered_at_ms);
    const row: { closed: number; buy_rate_json: string | null } | null = await orGeneralPath(ctx.q.one<{ closed: number; buy_rate_json: string | null }>(FINISH_SQL, [
      call_id, ivr_node, buy_rate_json, moves, ctx.now_ms, 'call_charge', TELEPHONY_REVENUE,
      close.billed_seconds, close.cost_minor, close.captured_minor, close.talk_ms, close.hangup_cause, close.answered_at_ms, close.ended_at_ms, close.status,
      buy?.billed_s ?? null, buy?.cost_minor ?? null,
    ]));
    if (!row) return false;
    if (row.closed === 1) return true;
    // Declined for its carrier rate only if that differs from what this attempt assumed.
    if (row.buy_rate_json === buy_rate_json) return false;
    buy_rate_json = row.buy_rate_json;
  }
  return false;
}
