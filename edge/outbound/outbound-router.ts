import type { Clock } from '../../billing/shared/clock';
import type { Logger } from '../../billing/shared/logger';
import type { AttemptEnd } from '../calls/run-attempt';
import { runAttempt } from '../calls/run-attempt';
import type { AnsweredLeg, CallerLeg, Dialer } from '../calls/legs';
import { bridgeLegs } from '../calls/legs';
import { carrierTarget } from '../core/carrier-target';
import { dialledDigits, validCallId } from '../core/dialled-number';
import type { EdgeRouting } from '../edge-deps';
import type { EdgeConfig } from '../edge-config';
import type { EdgeMetrics } from '../metrics/edge-metrics';
import type { AttemptOutcome, RouteAttempt, RouteRanking } from '../routing-contract';
import type { CarrierCapacity } from './carrier-capacity';

export const CALL_ID_HEADER = 'X-Prepaid-Call-Id';

export interface OutboundDeps {
  routing: EdgeRouting;
  dialer: Dialer;
  capacity: CarrierCapacity;
  clock: Clock;
  log: Logger;
  metrics: EdgeMetrics;
  config: EdgeConfig['outbound'];
}

/**
 * No route (blocked, unpriced, no carrier for the destination): 404. Asterisk maps 404 to hang-up cause 1
 * ("unallocated number"), which the IVR announces as "calls to this number are not available" — the same
 * prompt it plays for a destination it cannot rate. An invalid number gets 484 (cause 28, invalid format).
 */
const NO_ROUTE = 404;
/** Every carrier failed or was full: 503, cause 34 "congestion": "all circuits are busy now, try again later". */
const EXHAUSTED = 503;

/**
 * An outbound leg from an Asterisk node: rank the carriers for the number (billing.routing.rank), try them in
 * order — skipping a full one, failing over per the SIP answer table, stopping on a user's final answer or the
 * caller's CANCEL — record every attempt, name the winner on the call record, then bridge. Fail safe: when the
 * ranking or the records cannot be written, no call is connected (503).
 */
export async function routeOutbound(call: CallerLeg, d: OutboundDeps): Promise<void> {
  const now = () => d.clock.now().getTime();
  const t0 = now();
  const digits = dialledDigits(call.requestUri);
  if (!digits) return refuse(call, d, 484, 'invalid_number');
  const callId = validCallId(call.header(CALL_ID_HEADER));
  if (!callId) {
    // Without the IVR's call id the attempts and the carrier could not land on a call record: not connected.
    return refuse(call, d, 403, 'missing_call_id');
  }
  const log = d.log.child({ call_id: callId });
  let ranking: RouteRanking;
  try {
    ranking = await d.routing.rank(digits);
  } catch (err) {
    log.error('ranking failed: call refused', { err });
    return refuse(call, d, 503, 'routing_unavailable');
  } finally {
    d.metrics.routingSeconds((now() - t0) / 1000);
  }
  if (call.isCancelled) return;
  if (!ranking.ok) {
    log.info('no route', { reason: ranking.reason, skipped: ranking.skipped.length });
    return refuse(call, d, ranking.reason === 'invalid_number' ? 484 : NO_ROUTE, `no_route_${ranking.reason}`);
  }

  const writes: Array<Promise<unknown>> = [];
  const record = (a: Omit<RouteAttempt, 'call_id'>, carrierName: string) => {
    d.metrics.carrierAttempt(carrierName, a.outcome, a.sip_status);
    writes.push(d.routing.recordAttempt({ call_id: callId, ...a }));
  };
  const allWritten = async () => {
    const results = await Promise.allSettled(writes);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  };

  let exhaustedStatus = EXHAUSTED;
  for (const cand of ranking.candidates.slice(0, d.config.maxAttempts)) {
    if (call.isCancelled) break;
    const carrier = cand.carrier;
    const started_at_ms = now();
    const admitted = d.capacity.admit(carrier, started_at_ms);
    if (!admitted.ok) {
      log.info('carrier full: skipped', { carrier: carrier.name, by: admitted.refusedBy });
      record({ carrier_id: carrier.id, order: cand.order, started_at_ms, ended_at_ms: started_at_ms, sip_status: null, outcome: 'skipped_capacity' }, carrier.name);
      continue;
    }
    let end: AttemptEnd;
    try {
      end = await runAttempt(call, d.dialer, carrierTarget(cand), 'carrier', {}, d.config);
    } catch (err) {
      admitted.release();
      log.error('attempt failed to start', { carrier: carrier.name, err });
      end = { outcome: 'transport_error', status: null, action: 'next' };
    }
    const ended_at_ms = now();
    record({ carrier_id: carrier.id, order: cand.order, started_at_ms, ended_at_ms, sip_status: end.status, outcome: end.outcome as AttemptOutcome }, carrier.name);
    log.info('attempt', { carrier: carrier.name, order: cand.order, outcome: end.outcome, sip_status: end.status, ms: ended_at_ms - started_at_ms });
    if (end.outcome === 'answered') {
      await connect(call, end.leg, carrier.id, carrier.name, callId, admitted.release, allWritten, d, log);
      return;
    }
    admitted.release();
    if (end.outcome === 'cancelled') break;
    if (end.action === 'stop') {
      await allWritten().catch((err: unknown) => log.error('attempt records failed', { err }));
      call.reject(end.status ?? 480);
      return;
    }
    if (end.outcome === 'failed' && (end.status === 404 || end.status === 604)) exhaustedStatus = NO_ROUTE;
    else exhaustedStatus = EXHAUSTED;
  }
  await allWritten().catch((err: unknown) => log.error('attempt records failed', { err }));
  if (call.isCancelled) return;
  log.info('no carrier connected the call', { tried: ranking.candidates.length });
  d.metrics.refused('outbound', 'carriers_exhausted', exhaustedStatus);
  call.reject(exhaustedStatus);
}

function refuse(call: CallerLeg, d: OutboundDeps, status: number, reason: string): void {
  d.metrics.refused('outbound', reason, status);
  call.reject(status, status === NO_ROUTE ? { Reason: 'Q.850;cause=3;text="no route to destination"' } : {});
}

async function connect(
  call: CallerLeg, leg: AnsweredLeg, carrierId: number, carrierName: string, callId: string,
  release: () => void, allWritten: () => Promise<void>, d: OutboundDeps, log: Logger,
): Promise<void> {
  try {
    // Fail safe: the winner and every attempt are on the call record before the caller is connected.
    await d.routing.setCallCarrier(callId, carrierId);
    await allWritten();
  } catch (err) {
    log.error('call record could not name the carrier: call not connected', { err });
    release();
    await leg.hangup();
    d.metrics.refused('outbound', 'routing_unavailable', 503);
    if (!call.isCancelled) call.reject(503);
    return;
  }
  let a: AnsweredLeg;
  try {
    a = await call.connect(leg);
  } catch (err) {
    log.info('caller gone before the answer could be passed on', { err });
    release();
    await leg.hangup();
    return;
  }
  d.metrics.carrierCall(carrierName, 1);
  void bridgeLegs(a, leg).finally(() => {
    release();
    d.metrics.carrierCall(carrierName, -1);
    log.info('call ended', { carrier: carrierName });
  });
}
