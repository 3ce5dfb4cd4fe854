import type { Billing } from '../../billing';
import type { Rate } from '../../rating/rate';
import { BillingError, isBillingError } from '../../shared/errors';
import type { Sql } from '../../store/sql/database';
import { activeCall } from '../active-call-sql';
import { settleBuyCost } from '../call-carrier';
import { holdsOfCall, settleCallChunk } from '../call-holds';
import { CallMeter } from '../call-meter';
import { meterFromHolds } from '../call-metering';
import type { CallKeys, LegRole } from './cdr-match';
import { callIdsNamedBy, legRole, talkSeconds } from './cdr-match';
import type { CdrRow } from './cdr-row';

/**
 * Billing a call from Asterisk's CDRs when nobody saw it end (the IVR was away).
 *
 * 1. The IVR reconciles such a call with `holdCallForCdr`: the record is closed with what was
 *    confirmed (captured chunks: the reconcile rule), marked `cdr_state = 'awaiting'`, and the
 *    chunks reserved beyond stay HELD (they expire on their own, CALL_HOLD_GRACE_MS after their time).
 * 2. The CDR import stores the call's two rows (`storeCdrLegs`): its outbound leg's row and the
 *    bridged row, in `call_cdr_legs` (rows of calls that are still active are kept too: the CDR can be
 *    read before any node has reconciled the call).
 * 3. `billFromCdr` bills the talk time (bridged end − outbound answer) within what is still held:
 *    never less than captured, never more than captured + still-pending chunks; the rest is released;
 *    the record says `cdr_state = 'billed'` with `cdr_talk_s`. Only an `awaiting` record is billed, in
 *    one transaction that flips its state: importing the same CDRs again changes nothing.
 * 4. An awaiting call left with no pending hold (they expired: no CDR came in time) becomes
 *    `missing`: its reconcile-rule bill is final (`closeAbandonedAwaiting`).
 */
export interface CdrLeg {
  call_id: string;
  role: LegRole;
  uniqueid: string;
  channel: string;
  dstchannel: string;
  answer_text: string;
  end_text: string;
  billsec: number;
  disposition: string;
  source: string;
  imported_at_ms: number;
}

const LEG_COLUMNS = 'call_id, role, uniqueid, channel, dstchannel, answer_text, end_text, billsec, disposition, source, imported_at_ms';

/**
 * The IVR's reconcile in CDR mode: closes the record at the confirmed bill and marks it awaiting
 * its CDR, holds untouched. Fenced: only the owning node of an active call can do it.
 */
export async function holdCallForCdr(billing: Billing, a: { call_id: string; owner: string; billed_s: number; captured_minor: number; answered_at_ms: number | null; ended_at_ms: number }): Promise<void> {
  await billing.tx(async (ctx) => {
    const r = await ctx.q.run(
      `UPDATE call_records SET status = 'completed', cdr_state = 'awaiting', billed_seconds = ?, cost_minor = ?, captured_minor = ?, hangup_cause = 'reconciled', answered_at_ms = ?, ended_at_ms = ?, talk_ms = ?
       WHERE id = ? AND ivr_node = ? AND ${activeCall()}`,
      [a.billed_s, a.captured_minor, a.captured_minor, a.answered_at_ms, a.ended_at_ms, a.billed_s * 1000, a.call_id, a.owner],
    );
    if (r.changes !== 1) throw new BillingError('invalid_state', `call ${a.call_id} is no longer owned by IVR node ${a.owner}`);
    // The buy side on the confirmed time too (recomputed if its CDR bills it later).
    await settleBuyCost(ctx.q, a.call_id);
  });
}

interface CandidateRecord extends CallKeys {
  status: string;
  cdr_state: string | null;
}

const OPEN = (r: CandidateRecord) => r.status === 'active' || r.cdr_state === 'awaiting';

/**
 * Stores the rows that belong to calls still open (active, or awaiting their CDR), in the caller's
 * transaction. A second row of the same role keeps the earliest outbound answer / the latest bridged
 * end (a call re-bridged after a reconnect leaves two bridged rows). Returns the calls touched.
 */
export async function storeCdrLegs(q: Sql, rows: ReadonlyArray<{ row: CdrRow; source: string }>, now_ms: number): Promise<{ legs: number; calls: string[] }> {
  const ids = [...new Set(rows.flatMap((r) => callIdsNamedBy(r.row)))];
  const records = new Map<string, CandidateRecord>();
  for (let i = 0; i < ids.length; i += 200) {
    const part = ids.slice(i, i + 200);
    const found = await q.all<CandidateRecord>(`SELECT id, channel_id, outbound_channel_id, status, cdr_state FROM call_records WHERE id IN (${part.map(() => '?').join(', ')})`, part);
    for (const r of found) records.set(r.id, r);
  }
  let legs = 0;
  const touched = new Set<string>();
  for (const { row, source } of rows) {
    let matches = callIdsNamedBy(row).map((id) => records.get(id)).filter((r): r is CandidateRecord => r !== undefined);
    if (matches.length === 0 && row.dstchannel !== '') {
      // No name on the row (the IVR died before setting CDR(userfield)): the caller's channel id, when it has one open call.
      const byChannel = (await q.all<CandidateRecord>('SELECT id, channel_id, outbound_channel_id, status, cdr_state FROM call_records WHERE channel_id = ?', [row.uniqueid])).filter(OPEN);
      if (byChannel.length === 1) matches = byChannel;
    }
    for (const rec of matches) {
      const role = legRole(row, rec);
      if (!role || !OPEN(rec)) continue;
      const keep = role === 'outbound' ? 'excluded.answer_text < call_cdr_legs.answer_text' : 'excluded.end_text > call_cdr_legs.end_text';
      const r = await q.run(
        `INSERT INTO call_cdr_legs (${LEG_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (call_id, role) DO UPDATE SET uniqueid = excluded.uniqueid, channel = excluded.channel, dstchannel = excluded.dstchannel,
           answer_text = excluded.answer_text, end_text = excluded.end_text, billsec = excluded.billsec, disposition = excluded.disposition,
           source = excluded.source, imported_at_ms = excluded.imported_at_ms
         WHERE ${keep}`,
        [rec.id, role, row.uniqueid, row.channel, row.dstchannel, row.answer, row.end, row.billsec, row.disposition, source, now_ms],
      );
      legs += r.changes;
      touched.add(rec.id);
    }
  }
  return { legs, calls: [...touched] };
}

export async function legsOfCall(q: Sql, call_id: string): Promise<CdrLeg[]> {
  return q.all<CdrLeg>(`SELECT ${LEG_COLUMNS} FROM call_cdr_legs WHERE call_id = ? ORDER BY role`, [call_id]);
}

export type CdrBillOutcome =
  | { kind: 'billed'; call_id: string; talk_s: number; billed_s: number; cost_minor: number; captured_minor: number }
  | { kind: 'not_awaiting' | 'incomplete'; call_id: string }
  | { kind: 'mismatch'; call_id: string; reason: string };

interface AwaitingRecord {
  id: string;
  rate_json: string | null;
  answered_at_ms: number | null;
}

/** Bills an awaiting call from its stored CDR legs (see the file comment); anything else is left as it is. */
export async function billFromCdr(billing: Billing, call_id: string): Promise<CdrBillOutcome> {
  return billing.tx(async (ctx): Promise<CdrBillOutcome> => {
    const { q } = ctx;
    const rec = await q.one<AwaitingRecord>(`SELECT id, rate_json, answered_at_ms FROM call_records WHERE id = ? AND cdr_state = 'awaiting'${q.forUpdate}`, [call_id]);
    if (!rec) return { kind: 'not_awaiting', call_id };
    const legs = await legsOfCall(q, call_id);
    const outbound = legs.find((l) => l.role === 'outbound');
    const bridged = legs.find((l) => l.role === 'bridged');
    if (!outbound || !bridged) return { kind: 'incomplete', call_id };
    if (bridged.dstchannel !== outbound.channel) return { kind: 'mismatch', call_id, reason: `bridged row's dstchannel ${bridged.dstchannel} is not the outbound leg ${outbound.channel}` };
    const talk_s = talkSeconds(outbound, bridged);
    const rate = JSON.parse(rec.rate_json ?? 'null') as Rate | null;
    if (talk_s === null || !rate) return { kind: 'mismatch', call_id, reason: talk_s === null ? 'unreadable CDR times' : 'no rate snapshot' };

    const meter = new CallMeter(rate);
    meterFromHolds(meter, call_id, await holdsOfCall(ctx, call_id), { stillHeldOnly: true });
    const billedTalk_s = meter.talkSeconds(talk_s);
    const bill = meter.settle(talk_s);
    let captured = meter.captured_minor;
    for (const c of bill.captures) {
      const r = await settleCallChunk(ctx, c.hold_id, c.amount_minor);
      if (r.ok) captured += c.amount_minor;
      // Expired meanwhile and the money spent since: cost and captured stay apart on the record.
      else if (!(isBillingError(r.error) && (r.error.code === 'invalid_state' || r.error.code === 'insufficient_funds'))) throw r.error;
    }
    const ended = rec.answered_at_ms === null ? null : Number(rec.answered_at_ms) + talk_s * 1000;
    const u = await q.run(
      `UPDATE call_records SET cdr_state = 'billed', cdr_talk_s = ?, billed_seconds = ?, cost_minor = ?, captured_minor = ?, ended_at_ms = COALESCE(?, ended_at_ms), talk_ms = ? WHERE id = ? AND cdr_state = 'awaiting'`,
      [talk_s, bill.billed_s, bill.cost_minor, captured, ended, Math.round(billedTalk_s * 1000), call_id],
    );
    if (u.changes !== 1) throw new Error(`call ${call_id} changed while being billed from its CDR`);
    // The carrier's buy cost follows the same billed talk time.
    await settleBuyCost(q, call_id);
    return { kind: 'billed', call_id, talk_s, billed_s: bill.billed_s, cost_minor: bill.cost_minor, captured_minor: captured };
  });
}

/** Awaiting calls whose two legs are both stored (a CDR may be read before its call is reconciled). */
export async function awaitingWithLegs(q: Sql, limit = 500): Promise<string[]> {
  const rows = await q.all<{ id: string }>(
    `SELECT c.id FROM call_records c WHERE c.cdr_state = 'awaiting'
       AND EXISTS (SELECT 1 FROM call_cdr_legs o WHERE o.call_id = c.id AND o.role = 'outbound')
       AND EXISTS (SELECT 1 FROM call_cdr_legs b WHERE b.call_id = c.id AND b.role = 'bridged')
     ORDER BY c.id LIMIT ?`,
    [limit],
  );
  return rows.map((r) => r.id);
}

/** Awaiting calls with nothing held any more (their holds expired before a CDR came): the provisional bill is final. */
export async function closeAbandonedAwaiting(billing: Billing): Promise<number> {
  return billing.tx(async (ctx) => {
    const r = await ctx.q.run(
      `UPDATE call_records SET cdr_state = 'missing' WHERE cdr_state = 'awaiting'
         AND NOT EXISTS (SELECT 1 FROM holds h WHERE h.call_id = call_records.id AND h.status = 'pending')`,
    );
    return r.changes;
  });
}

/** Drops the rows kept for calls that then ended in sight of their IVR (nothing to bill from them). */
export async function purgeUnneededLegs(billing: Billing): Promise<number> {
  return billing.tx(async (ctx) => {
    const r = await ctx.q.run(
      `DELETE FROM call_cdr_legs WHERE call_id IN (SELECT id FROM call_records WHERE status <> 'active' AND cdr_state IS NULL)`,
    );
    return r.changes;
  });
}
