import { CallMetering } from '../../../billing/calls/call-metering';
import { insertCallRecord, updateCallRecord } from '../../../billing/calls/call-records';
import type { DialResult } from '../../ari/telephony';
import type { CallOutcome } from '../call-metrics';
import type { CallSession, LastCall } from '../call-session';
import { newCallId } from '../call-id';
import type { CallState } from '../call-state';
import { CallerGone } from '../caller-io';
import { MeteredCall } from '../metered-call';

type NotConnected = Extract<LastCall, { kind: 'not_connected' }>['status'];

function notConnected(r: Extract<DialResult, { kind: 'failed' }>): { status: NotConnected; outcome: CallOutcome } {
  // Cause 1 (unallocated number) is what Asterisk makes of a SIP 404/604: the SIP edge's "no route".
  if (r.cause === 1) return { status: 'UNAVAILABLE', outcome: 'failed' };
  switch (r.status) {
    case 'BUSY': return { status: 'BUSY', outcome: 'busy' };
    case 'NOANSWER': return { status: 'NOANSWER', outcome: 'no_answer' };
    case 'CONGESTION':
    case 'CHANUNAVAIL': return { status: 'CONGESTION', outcome: 'congestion' };
    default: return { status: 'FAILED', outcome: 'failed' };
  }
}

/** Bound on waiting for a cancelled leg's final event. */
const LEG_SETTLE_MS = 5_000;

/**
 * Opens the call record, reserves the first chunk (connect fee + initial increment) BEFORE
 * dialling, then originates the outbound leg through the trunk while the caller hears ringing.
 * The leg carries TIMEOUT(absolute) = ring timeout + first chunk, so even a leg this process
 * forgets ends on its own. Busy / no answer / congestion / failure void the chunk: nothing is
 * charged. The caller hanging up while it rings hangs the leg up (Asterisk would keep ringing).
 */
export async function dial(s: CallSession): Promise<CallState> {
  const { billing, tel, options, metrics } = s.ctx;
  const card = s.card;
  const dest = s.destination;
  if (!card || !dest) return 'ending';
  const callId = newCallId(options.nodeId);
  const outChannelId = `${callId}-out`;
  const log = s.log.child({ call_id: callId, out_channel_id: outChannelId });
  s.callId = callId;
  const started_ms = Math.round(options.clock.now_ms());
  await billing.statement((q) => insertCallRecord(q, {
    id: callId, card_id: card.id, caller_number: s.caller ?? (s.channel.callerNumber || null), access_number: s.channel.accessNumber, channel_id: s.channel.id, started_at_ms: started_ms, ivr_node: options.nodeId,
    destination: dest.digits, destination_name: dest.rate.destination, currency: card.currency, rate: dest.rate, outbound_channel_id: outChannelId,
  }));
  const metering = new CallMetering(billing, callId, card.id, card.currency, dest.rate, options.chunk_s, options.nodeId);
  const notCharged = async (cause: string, outcome: CallOutcome): Promise<void> => {
    await metering.finish(0, { hangup_cause: cause, answered_at_ms: null, ended_at_ms: Math.round(options.clock.now_ms()), status: 'failed' });
    metrics.callEnded(outcome, 0);
    s.callId = undefined;
    log.info('call not connected', { cause });
  };

  const first = await metering.extend();
  if (!first.ok || !first.value) {
    await notCharged('insufficient_funds', 'failed');
    await s.say('insufficient_balance');
    return 'entering_destination';
  }
  try {
    await s.say('please_wait_connecting');
    await tel.ring(s.channel.id);
  } catch (err) {
    // The caller hung up (or ringing failed) before the leg was dialled: release the first chunk, close the record.
    // (Shutting down: leave it as it is, the next start reconciles it.)
    if (!s.isDetached) await notCharged(err instanceof CallerGone ? 'caller_hangup_before_dial' : 'ring_failed', err instanceof CallerGone ? 'cancelled' : 'failed');
    throw err;
  }

  let leg;
  try {
    leg = await tel.originate({
      endpoint: options.trunkEndpoint.replace('{number}', dest.digits),
      ringTimeout_s: options.ringTimeout_s,
      variables: {
        'TIMEOUT(absolute)': String(options.ringTimeout_s + metering.limit_s + options.absoluteTimeoutGrace_s),
        // The SIP edge records its carrier attempts and the winning carrier against this call record.
        'PJSIP_HEADER(add,X-Prepaid-Call-Id)': callId,
      },
      appArgs: ['outbound', callId, s.lang],
      channelId: outChannelId,
      ...(options.outboundCallerId !== undefined && { callerId: options.outboundCallerId }),
    });
  } catch (err) {
    log.error('originate failed', { error: err instanceof Error ? err.message : String(err) });
    await tel.stopRinging(s.channel.id).catch(() => undefined);
    await notCharged('originate_failed', 'failed');
    s.lastCall = { kind: 'not_connected', status: 'FAILED' };
    return 'after_call';
  }
  log.info('dialling', { prefix: dest.rate.prefix, first_chunk_s: metering.limit_s });

  const raced = await Promise.race([leg.result, s.io.gone.then(() => 'caller_gone' as const)]);
  // Shutting down: let go of the leg and its money as they are (TIMEOUT(absolute) and hold expiry bound them; reconciled at start).
  if (s.isDetached) throw new CallerGone();
  if (raced === 'caller_gone') {
    await tel.hangup(outChannelId, 'normal').catch(() => undefined);
    const settled = await Promise.race([leg.result, new Promise<'unknown'>((r) => options.clock.after(LEG_SETTLE_MS, () => r('unknown')))]);
    if (settled !== 'unknown' && settled.kind === 'answered') await tel.hangup(outChannelId).catch(() => undefined);
    await notCharged('caller_hangup_while_ringing', 'cancelled');
    throw new CallerGone();
  }
  if (raced.kind === 'failed') {
    await tel.stopRinging(s.channel.id).catch(() => undefined);
    const nc = notConnected(raced);
    await notCharged(raced.status, nc.outcome);
    s.lastCall = { kind: 'not_connected', status: nc.status };
    return 'after_call';
  }

  const answeredAt_ms = Math.round(options.clock.now_ms());
  const talk = new MeteredCall(s.ctx, {
    callId, callerChannelId: s.channel.id, outChannelId, metering, answeredAt_ms, callerGone: s.io.gone, log,
    playWarning: () => s.say('one_minute_left'),
  });
  s.talk = talk;
  talk.start();
  await billing.statement((q) => updateCallRecord(q, callId, { answered_at_ms: answeredAt_ms }));
  log.info('answered');
  await tel.stopRinging(s.channel.id);
  const bridge = await tel.createBridge({ bridgeId: `${callId}-br`, name: callId });
  if (await tel.addToBridge(bridge.id, [s.channel.id, outChannelId]) === 'gone') {
    // One of the two went between the answer and the bridge: end the metered leg now (its hang-up event may be unheard).
    if (s.io.isGone) await talk.hangUp('caller_hangup');
    else talk.legGone();
  }
  // Names the call in Asterisk's CDRs (the leg's own row, and the bridged row as ";<call id>"), so a
  // call whose end this process never sees can be billed from them (billing/calls/cdr/).
  await tel.setChannelVar(outChannelId, 'CDR(userfield)', callId).catch((err: unknown) => {
    log.warn('could not set CDR(userfield)', { error: err instanceof Error ? err.message : String(err) });
  });
  return 'talking';
}
