import express from 'express';
import type { Express } from 'express';
import helmet from 'helmet';
import type { Registry } from 'prom-client';
import type { Billing } from '../billing';
import type { BackgroundTask } from '../shared/background-task';
import type { Logger } from '../shared/logger';
import { sendError, sendJson } from './api-error';
import { apiSecurityHeaders } from './api-security-headers';
import { createApiMetrics } from './api-metrics';
import { docsPage } from './docs-page';
import { apiErrorHandler, jsonBody } from './json-body';
import { merchantAuth } from './merchant-auth';
import { DEFAULT_METRICS_ACCESS, metricsGuard } from './metrics-access';
import type { MetricsAccess } from './metrics-access';
import { openApiDocument } from './openapi';
import { ipLimiter, merchantLimiter } from './rate-limits';
import type { LimitWindow } from './rate-limits';
import { requestContext } from './request-context';
import { addSettlementRoutes } from './settlement-routes';
import { chain } from './chain';

/** What the settlement API is built from (the composition root, app/, passes them). */
export interface ApiDeps {
  billing: Billing;
  logger: Logger;
  metrics: Registry;
}

export interface ApiOptions {
  /** How long a merchant key lookup is cached in-process (revocation takes effect within this). */
  auth_cache_ttl_ms: number;
  /** Requests per client address (req.ip: behind a loopback proxy, its X-Forwarded-For). */
  ip_limit: LimitWindow;
  /** Requests per merchant. */
  merchant_limit: LimitWindow;
  /** Who may read /metrics (default: loopback only). */
  metrics_access: MetricsAccess;
}

export const DEFAULT_API_OPTIONS: ApiOptions = Object.freeze({
  auth_cache_ttl_ms: 5_000,
  ip_limit: { window_ms: 60_000, max: 12_000 },
  merchant_limit: { window_ms: 60_000, max: 6_000 },
  metrics_access: DEFAULT_METRICS_ACCESS,
});

/**
 * Mounts the settlement API: /v1 (merchants), /openapi.json, /docs, /healthz, /readyz, /metrics
 * (only for `options.metrics_access`).
 * Everything it adds is scoped to those paths (helmet, limits, body parsing), so the site and the
 * IVR mounted on the same app keep their own middleware.
 */
export function mountSettlementApi(app: Express, deps: ApiDeps, options: ApiOptions = DEFAULT_API_OPTIONS): BackgroundTask[] {
  const { billing, logger } = deps;
  const metrics = createApiMetrics(deps.metrics, billing, logger);
  const context = requestContext(logger, metrics);
  const pageSecurity = helmet(); // /docs is an HTML page
  const security = apiSecurityHeaders();

  app.get('/healthz', context, (_req, res) => { res.json({ status: 'ok' }); });
  app.get('/readyz', context, async (_req, res) => {
    try {
      await billing.read().q.one('SELECT 1 AS ok');
      res.json({ status: 'ready' });
    } catch (err) {
      res.locals.log.warn('not ready', { err });
      res.status(503).json({ status: 'unavailable' });
    }
  });
  app.get('/metrics', context, metricsGuard(options.metrics_access), async (_req, res) => {
    res.type(deps.metrics.contentType).send(await deps.metrics.metrics());
  });
  app.get('/openapi.json', context, security, (_req, res) => { sendJson(res, 200, openApiDocument()); });
  app.get('/docs', context, pageSecurity, (_req, res) => { res.type('html').send(docsPage()); });

  const v1 = express.Router();
  // One composed layer instead of eight router layers: the same middleware, less dispatch per request.
  v1.use(chain([context, security, ipLimiter(options.ip_limit), merchantAuth(billing, options.auth_cache_ttl_ms), merchantLimiter(options.merchant_limit), ...jsonBody()]));
  addSettlementRoutes(v1, billing, metrics);
  v1.use((_req, res) => sendError(res, 'not_found', 'no such endpoint'));
  v1.use(apiErrorHandler());
  app.use('/v1', v1);
  return [];
}
