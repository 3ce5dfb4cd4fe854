import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../shared/logger';
import type { ApiMetrics } from './api-metrics';

/** Probes and scrapes log at debug so they do not drown the access log. */
const QUIET = new Set(['/healthz', '/readyz', '/metrics']);
const INCOMING_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** What the API keeps on `res.locals` for one request. */
export interface RequestLocals {
  request_id: string;
  log: Logger;
  merchant_id?: number;
  error_code?: string;
}

export const localsOf = (res: Response): RequestLocals => res.locals as RequestLocals;

/**
 * First middleware of every API route: a request id (the caller's `X-Request-Id` when it is sane,
 * else a new UUID) echoed in the answer, a child logger carrying it, and on finish one access-log
 * line plus the request metrics. Never logs bodies, query strings or headers.
 */
export function requestContext(logger: Logger, metrics: ApiMetrics) {
  return (req: Request, res: Response, next: NextFunction): void => {
    // req.ip is a getter that parses X-Forwarded-For against the trusted proxies on every read, and
    // the limiters, the routes and the access log each read it: computed once per request.
    Object.defineProperty(req, 'ip', { value: req.ip, enumerable: true, configurable: true });
    const incoming = req.get('x-request-id');
    const request_id = incoming && INCOMING_ID.test(incoming) ? incoming : randomUUID();
    const log = logger.child({ request_id });
    Object.assign(res.locals, { request_id, log });
    res.setHeader('X-Request-Id', request_id);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = req.route ? `${req.baseUrl}${String(req.route.path)}` : `${req.baseUrl || ''}(unmatched)`;
      const labels = { method: req.method, route, status: String(res.statusCode) };
      metrics.requests.inc(labels);
      metrics.latency.observe(labels, seconds);
      const l = localsOf(res);
      const fields = { method: req.method, route, status: res.statusCode, duration_ms: Math.round(seconds * 10_000) / 10, merchant_id: l.merchant_id, error_code: l.error_code, ip: req.ip };
      if (res.statusCode >= 500) log.error('request', fields);
      else if (QUIET.has(route)) log.debug('request', fields);
      else log.info('request', fields);
    });
    next();
  };
}
