import { CallMetering } from '../../billing/calls/call-metering';
import { billFromCdr, holdCallForCdr } from '../../billing/calls/cdr/cdr-billing';
import type { CallRecord } from '../../billing/calls/call-records';
import type { RatedDestination } from '../../billing/rating/rate-store';
import type { IvrContext } from './ivr-context';

/** A call record found active after a restart or reconnect, with what Asterisk still has of it. */
export interface ReconcileJob {
  record: CallRecord;
  /** The outbound leg is still up (in our app). */
  outboundUp: boolean;
  /** Its bridge is still there. */
  bridgeUp: boolean;
  /** The caller is still in that bridge. */
  callerInBridge: boolean;
}

export async function restoreMetering(ctx: IvrContext, record: CallRecord): Promise<CallMetering> {
  const rate = JSON.parse(record.rate_json ?? 'null') as RatedDestination | null;
  if (!rate || record.card_id === null || !record.currency) throw new Error(`call record ${record.id} has no rate snapshot`);
  return CallMetering.restore(ctx.billing, record.id, Number(record.card_id), record.currency, rate, ctx.options.chunk_s, ctx.options.nodeId);
}

/**
 * THE RECONCILE RULE for a call whose outbound leg is gone (or is hung up now because its caller
 * is gone) when nobody was watching: it is billed for the time the IVR CONFIRMED it was up — the
 * end of the last chunk it captured (a chunk is captured only once its time has elapsed with the
 * leg up, so captures are the heartbeat). Time after that is not charged: at most one chunk plus
 * the outage, in the caller's favour, and never beyond what was reserved. Every pending hold of
 * the call is released by the final settlement, and the call record is closed with
 * hangup_cause 'reconciled'. A leg that never answered costs nothing.
 */
export function confirmedSeconds(metering: CallMetering, answered: boolean): number {
  if (!answered) return 0;
  return metering.meter.chunks.filter((c) => c.state === 'captured').reduce((s, c) => Math.max(s, c.to_s), 0);
}

/** Bills and closes a call whose leg is gone or must go; returns what was billed. */
export async function settleUnwatched(ctx: IvrContext, record: CallRecord, outboundUp: boolean): Promise<{ billed_s: number; cost_minor: number; answered: boolean }> {
  if (outboundUp && record.outbound_channel_id) await ctx.tel.hangup(record.outbound_channel_id).catch(() => undefined);
  const answered = record.answered_at_ms !== null;
  const metering = await restoreMetering(ctx, record);
  const duration_s = confirmedSeconds(metering, answered);
  const stillHeld = metering.meter.chunks.some((c) => c.state === 'pending' && c.amount_minor > 0);
  if (ctx.options.awaitCdr && answered && stillHeld) {
    await holdCallForCdr(ctx.billing, {
      call_id: record.id, owner: ctx.options.nodeId, billed_s: duration_s, captured_minor: metering.meter.captured_minor,
      answered_at_ms: record.answered_at_ms, ended_at_ms: Math.round(ctx.options.clock.now_ms()),
    });
    // Its CDR may have been read already (imported before any node reconciled the call).
    const fromCdr = await billFromCdr(ctx.billing, record.id);
    const billed = fromCdr.kind === 'billed' ? { billed_s: fromCdr.billed_s, cost_minor: fromCdr.cost_minor } : { billed_s: duration_s, cost_minor: metering.meter.captured_minor };
    ctx.metrics.callEnded('reconciled', billed.billed_s);
    ctx.log.info(fromCdr.kind === 'billed' ? 'call reconciled and billed from its CDR' : 'call reconciled: billed what was confirmed, the rest held for its CDR', { call_id: record.id, ...billed });
    return { ...billed, answered };
  }
  const bill = await metering.finish(duration_s, {
    hangup_cause: 'reconciled', answered_at_ms: record.answered_at_ms, ended_at_ms: Math.round(ctx.options.clock.now_ms()), status: answered ? 'completed' : 'failed',
  });
  ctx.metrics.callEnded('reconciled', bill.billed_s);
  ctx.log.info('call reconciled', { call_id: record.id, answered, billed_s: bill.billed_s, cost_minor: bill.cost_minor });
  return { billed_s: bill.billed_s, cost_minor: bill.cost_minor, answered };
}
