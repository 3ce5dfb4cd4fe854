import type { Express } from 'express';
import { SipEdge } from '../edge/sip-edge';
import { ConfigError } from './config';
import type { AppDeps, BackgroundTask } from './deps';

/**
 * The SIP edge role: the edge (edge/) on billing's routing and carriers, the process's logger and metrics.
 * Registers a /readyz check ahead of the API's: not ready until the edge is connected to drachtio-server
 * and has read the carriers.
 */
export const SIP_EDGE_NEEDS = 'invalid configuration:\n  DRACHTIO_SECRET: required with --roles sip-edge (with EDGE_ASTERISK_NODES, the Asterisk nodes behind the edge)';

export function mountSipEdge(app: Express, deps: AppDeps): BackgroundTask[] {
  const config = deps.config.edge;
  if (!config) throw new ConfigError(SIP_EDGE_NEEDS);
  const edge = new SipEdge({
    routing: deps.billing.routing,
    carriers: deps.billing.carriers,
    clock: deps.billing.clock,
    logger: deps.logger,
    metrics: deps.metrics,
    config,
  });
  app.get('/readyz', (_req, res, next) => {
    if (edge.ready) return next();
    res.status(503).json({ status: 'unavailable', sip_edge: edge.status() });
  });
  return [{ name: 'sip-edge', start: () => edge.start(), stop: () => edge.stop() }];
}
