import type { Express } from 'express';
import type { AriEndpoint } from '../ivr/ivr-deps';
import { ivrOptions } from '../ivr/calls/ivr-options';
import { mountIvr } from '../ivr/mount';
import { telephonySandbox } from '../sandbox/telephony';
import type { Config } from './config';
import type { AppDeps, BackgroundTask } from './deps';

/** A real Asterisk at ARI_URL: nothing to start or stop besides the IVR's own connection. */
function asterisk(ari: NonNullable<Config['ari']>): AriEndpoint {
  return {
    open: async () => ({ url: ari.url, user: ari.username, password: ari.password, app: ari.app }),
    close: async () => {},
    maxRequestsInFlight: ari.maxRequests,
  };
}

/**
 * The IVR role. With ARI_URL set the IVR connects to that Asterisk; without, to the telephony
 * sandbox (the built-in ARI simulator, with the web phone at /phone to place calls into it).
 */
export function mountTelephony(app: Express, deps: AppDeps): BackgroundTask[] {
  const { config } = deps;
  let ari: AriEndpoint;
  let sandboxTasks: BackgroundTask[] = [];
  if (config.ari) {
    ari = asterisk(config.ari);
  } else {
    const sandbox = telephonySandbox(app, deps);
    ari = sandbox.ari;
    sandboxTasks = sandbox.tasks;
  }
  const ivr = mountIvr({
    billing: deps.billing,
    logger: deps.logger,
    metrics: deps.metrics,
    options: ivrOptions({
      trunkEndpoint: config.trunkEndpoint,
      languages: config.ivr.languages,
      defaultCountry: config.ivr.defaultCountry,
      nodeId: config.ivr.nodeId,
      rateDeck: config.ivr.rateDeck,
      leaseTtl_ms: config.ivr.leaseTtl_s * 1000,
      chunk_s: config.ivr.chunk_s,
      awaitCdr: config.cdr !== null,
      maxCallsPerCard: config.ivr.maxCallsPerCard,
      ...(config.ivr.outboundCallerId ? { outboundCallerId: config.ivr.outboundCallerId } : {}),
    }),
    ari,
  });
  return [ivr, ...sandboxTasks];
}
