import type { CallSession } from '../call-session';
import type { CallState } from '../call-state';
import { takeCardPlace } from '../card-in-use';
import { MeteredCall } from '../metered-call';
import { restoreMetering, settleUnwatched } from '../reconcile-job';

/**
 * A caller still on the line after a restart or reconnect, whose call was in progress. If the
 * outbound leg is still up and answered, metering resumes where the holds say it was (timers
 * re-armed, TIMEOUT(absolute) re-set, events re-adopted); otherwise the call is billed by the
 * reconcile rule and the caller hears the cost, once out of the call's bridge.
 */
export async function reconcileCall(s: CallSession): Promise<CallState> {
  const job = s.reconcile;
  s.reconcile = undefined;
  if (!job) return 'ending';
  const { record } = job;
  if (record.card_id !== null && record.currency) {
    s.card = { id: Number(record.card_id), currency: record.currency };
    // The call was in progress: it takes its card place back whatever the limit (and a failure
    // here must not stand in the way of billing the call).
    await takeCardPlace(s, s.card.id, true).catch((err: unknown) => s.log.error('could not take the card place back', { error: err instanceof Error ? err.message : String(err) }));
  }
  const log = s.log.child({ call_id: record.id, out_channel_id: record.outbound_channel_id });
  if (job.outboundUp && record.answered_at_ms !== null && record.outbound_channel_id) {
    const metering = await restoreMetering(s.ctx, record);
    const talk = new MeteredCall(s.ctx, {
      callId: record.id, callerChannelId: s.channel.id, outChannelId: record.outbound_channel_id, metering,
      answeredAt_ms: Number(record.answered_at_ms), callerGone: s.io.gone, log,
      playWarning: () => s.say('one_minute_left'),
    });
    s.talk = talk;
    s.callId = record.id;
    talk.start();
    log.info('metering resumed', { covered_s: metering.limit_s });
    if (!job.bridgeUp) {
      const bridge = await s.ctx.tel.createBridge({ bridgeId: `${record.id}-br`, name: record.id });
      await s.ctx.tel.addToBridge(bridge.id, [s.channel.id, record.outbound_channel_id]);
    } else if (job.callerInBridge) {
      s.io.noteInBridge(`${record.id}-br`);
    }
    return 'talking';
  }
  const bill = await settleUnwatched(s.ctx, record, job.outboundUp);
  if (job.callerInBridge) s.io.noteInBridge(`${record.id}-br`);
  await s.io.leaveBridge(`${record.id}-br`);
  s.lastCall = bill.answered ? { kind: 'billed', cost_minor: bill.cost_minor, cut_off: false } : { kind: 'not_connected', status: 'FAILED' };
  return 'after_call';
}
