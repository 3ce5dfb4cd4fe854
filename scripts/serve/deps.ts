import type { Registry } from 'prom-client';
import type { Billing } from '../../billing/billing';
import type { Logger } from '../../billing/shared/logger';
import type { Config } from '../runtime/config';

/** What every part of the `serve` process is built from. Created once, in scripts/serve/serve.ts. */
export interface AppDeps {
  config: Config;
  billing: Billing;
  logger: Logger;
  metrics: Registry;
}

/** A background loop (hold sweeper, mail outbox, IVR…) started and stopped with the server. */
export interface BackgroundTask {
  name: string;
  start(): Promise<void> | void;
  /** Finishes in-flight work, then resolves. */
  stop(): Promise<void>;
}

export type Role = 'api' | 'site' | 'ivr';
export const ALL_ROLES: readonly Role[] = ['api', 'site', 'ivr'];
