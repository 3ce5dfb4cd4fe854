import type { Registry } from 'prom-client';
import type { Billing } from '../billing/billing';
import type { Logger } from '../billing/shared/logger';
import type { Config } from './config';

/**
 * What every part of the `serve` process is built from. Created once, in app/serve.ts; each feature
 * declares the narrow part it needs in its own folder (`ApiDeps`, `SiteDeps`, `IvrDeps`, `PhoneDeps`).
 */
export interface AppDeps {
  config: Config;
  billing: Billing;
  logger: Logger;
  metrics: Registry;
}

export type { BackgroundTask } from '../billing/shared/background-task';

export type Role = 'api' | 'site' | 'ivr' | 'sip-edge';
/** Every role `prepaid serve --roles` accepts. */
export const ALL_ROLES: readonly Role[] = ['api', 'site', 'ivr', 'sip-edge'];
/** What `prepaid serve` runs without --roles; the SIP edge needs a drachtio-server beside it, so it is asked for by name. */
export const DEFAULT_ROLES: readonly Role[] = ['api', 'site', 'ivr'];
