import type { Clock } from '../../billing/shared/clock';
import type { Logger } from '../../billing/shared/logger';
import type { AttemptEnd } from '../calls/run-attempt';
import { runAttempt } from '../calls/run-attempt';
import type { AnsweredLeg, CallerLeg, Dialer } from '../calls/legs';
import { bridgeLegs } from '../calls/legs';
import { calledUser } from '../core/dialled-number';
import type { NodePool } from '../core/node-pool';
import type { EdgeConfig } from '../edge-config';
import type { EdgeMetrics } from '../metrics/edge-metrics';
import type { Carrier } from '../routing-contract';
import type { InboundAdmission } from './inbound-admission';

export interface InboundDeps {
  dialer: Dialer;
  nodes: NodePool;
  admission: InboundAdmission;
  clock: Clock;
  log: Logger;
  metrics: EdgeMetrics;
  config: EdgeConfig['inbound'] & { accessNumbers: readonly string[] };
}

/**
 * An inbound call from a known carrier to an access number: admission (global and per carrier: calls per
 * second, concurrent calls; over: 503 + Retry-After), then the healthy Asterisk nodes in load order, failing
 * over to the next when one fails the INVITE (timeout, 408, 5xx, unreachable — the SIP answer table's node column).
 */
export async function routeInbound(call: CallerLeg, carrier: Carrier, d: InboundDeps): Promise<void> {
  const log = d.log.child({ carrier: carrier.name });
  const called = calledUser(call.requestUri);
  if (!called || (d.config.accessNumbers.length > 0 && !d.config.accessNumbers.includes(called))) {
    d.metrics.refused('inbound', 'not_an_access_number', 404);
    return call.reject(404);
  }
  const admitted = d.admission.admit(carrier, d.clock.now().getTime());
  if (!admitted.ok) {
    log.info('inbound call over the limit', { by: admitted.refusedBy, scope: admitted.scope });
    d.metrics.refused('inbound', `over_${admitted.scope}_${admitted.refusedBy}`, 503);
    return call.reject(503, { 'Retry-After': String(d.config.retryAfter_s) });
  }
  const order = d.nodes.order();
  if (order.length === 0) {
    admitted.release();
    log.warn('no healthy Asterisk node');
    d.metrics.refused('inbound', 'no_healthy_node', 503);
    return call.reject(503, { 'Retry-After': String(d.config.retryAfter_s) });
  }
  const timing = { attemptTimeout_ms: d.config.attemptTimeout_ms, ringTimeout_ms: 3_600_000 };
  for (const state of order) {
    if (call.isCancelled) break;
    const node = state.node;
    d.nodes.callStarted(state.name);
    let end: AttemptEnd;
    try {
      end = await runAttempt(call, d.dialer, `sip:${encodeURIComponent(called)}@${state.name}`, 'node', {}, timing);
    } catch (err) {
      log.error('attempt failed to start', { node: state.name, err });
      end = { outcome: 'transport_error', status: null, action: 'next' };
    }
    d.metrics.nodeAttempt(state.name, end.outcome, end.status);
    log.info('node attempt', { node: state.name, weight: node.weight, outcome: end.outcome, sip_status: end.status });
    if (end.outcome === 'answered') {
      await connect(call, end.leg, state.name, admitted.release, d, log);
      return;
    }
    d.nodes.callEnded(state.name);
    if (end.outcome === 'transport_error' && d.nodes.markUnreachable(state.name) === 'went_down') {
      d.metrics.nodeUp(state.name, false);
      log.warn('node unreachable: out of service until it answers OPTIONS', { node: state.name });
    }
    if (end.outcome === 'cancelled') break;
    if (end.action === 'stop') {
      admitted.release();
      return call.reject(end.status ?? 480);
    }
  }
  admitted.release();
  if (call.isCancelled) return;
  d.metrics.refused('inbound', 'nodes_exhausted', 503);
  call.reject(503, { 'Retry-After': String(d.config.retryAfter_s) });
}

async function connect(call: CallerLeg, leg: AnsweredLeg, node: string, release: () => void, d: InboundDeps, log: Logger): Promise<void> {
  let a: AnsweredLeg;
  try {
    a = await call.connect(leg);
  } catch (err) {
    log.info('carrier leg gone before the answer could be passed on', { err });
    release();
    d.nodes.callEnded(node);
    await leg.hangup();
    return;
  }
  d.metrics.nodeCall(node, 1);
  void bridgeLegs(a, leg).finally(() => {
    release();
    d.nodes.callEnded(node);
    d.metrics.nodeCall(node, -1);
  });
}
