import express from 'express';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { createExpressServer } from '../billing/http/express-server';
import { DEFAULT_API_OPTIONS, mountSettlementApi } from '../billing/http/mount';
import type { Logger } from '../billing/shared/logger';
import { mountSite } from '../web/mount';
import type { Config } from './config';
import { ConfigError } from './config';
import { mountSipEdge, SIP_EDGE_NEEDS } from './edge';
import { openBilling } from './open-billing';
import { seedDemo } from '../sandbox/demo/seed-demo';
import type { AppDeps, BackgroundTask, Role } from './deps';
import { createCdrImportTask } from './cdr-import-task';
import { createSweeper } from './sweeper';
import { mountTelephony } from './telephony';

export interface RunningServer {
  url: string;
  deps: AppDeps;
  /** Stops accepting, lets in-flight requests finish, stops background tasks, closes the database. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Seed the demo (deck, cards, merchant) on the first start of an empty embedded database. */
  seedDemo?: boolean;
}

/** The one place the `serve` process is wired together. */
export async function startServer(config: Config, logger: Logger, roles: readonly Role[], options: StartOptions = {}): Promise<RunningServer> {
  if (roles.includes('sip-edge') && !config.edge) throw new ConfigError(SIP_EDGE_NEEDS);
  const billing = await openBilling(config);
  if (options.seedDemo) await seedDemo(config, billing, logger);
  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });
  const deps: AppDeps = { config, billing, logger, metrics };

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  const tasks: BackgroundTask[] = [createSweeper(billing, logger)];
  // Before the API: the edge's readiness check runs ahead of the API's /readyz.
  if (roles.includes('sip-edge')) tasks.push(...mountSipEdge(app, deps));
  // The API always mounts: it also carries /healthz, /readyz and /metrics for every role.
  tasks.push(...mountSettlementApi(app, deps, { ...DEFAULT_API_OPTIONS, metrics_access: config.metricsAccess }));
  if (roles.includes('ivr')) tasks.push(...mountTelephony(app, deps));
  if (roles.includes('ivr') && config.cdr) tasks.push(createCdrImportTask(billing, config.cdr, logger));
  if (roles.includes('site')) tasks.push(...mountSite(app, { ...deps, phone: config.ari === null }));

  const server = createExpressServer(app);
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const url = `http://${config.host}:${port}`;
  for (const t of tasks) await t.start();
  logger.info('serving', { url, roles, database: config.embedded ? 'sqlite' : 'postgres' });

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      logger.info('shutting down');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await closed;
      for (const t of [...tasks].reverse()) await t.stop().catch((err: unknown) => logger.error('task stop failed', { task: t.name, err }));
      await billing.db.close();
    })();
    return stopping;
  };
  return { url, deps, stop };
}

export async function runServe(config: Config, logger: Logger, roles: readonly Role[], options: StartOptions = {}): Promise<void> {
  const running = await startServer(config, logger, roles, options);
  const onSignal = (signal: string) => {
    logger.info('signal', { signal });
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    running.stop().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}
