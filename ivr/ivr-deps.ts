import type { Registry } from 'prom-client';
import type { Billing } from '../billing/billing';
import type { Logger } from '../billing/shared/logger';
import type { ConnectParams } from './ari/telephony';
import type { IvrOptions } from './calls/ivr-options';

/**
 * Where the IVR finds ARI: a real Asterisk (ARI_URL), or a stand-in that runs in the same process
 * and is started with the IVR (the sandbox's built-in simulator). The IVR knows nothing else of it.
 */
export interface AriEndpoint {
  /** Starts what must run first, if anything, and says where to connect. */
  open(): Promise<ConnectParams>;
  /** Called once the IVR has disconnected. */
  close(): Promise<void>;
  /** REST requests to have out at once (default 50: half of Asterisk's HTTP session limit). */
  maxRequestsInFlight?: number;
}

/** What the IVR process is built from; the composition root (app/) builds it. */
export interface IvrDeps {
  billing: Billing;
  logger: Logger;
  metrics: Registry;
  options: IvrOptions;
  ari: AriEndpoint;
}
