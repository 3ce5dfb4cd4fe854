import type { BackgroundTask } from '../billing/shared/background-task';
import { AriTelephony } from './ari/ari-telephony';
import { IvrApp } from './calls/ivr-app';
import { promAriMetrics } from './ari-metrics-prom';
import { promCallMetrics } from './call-metrics-prom';
import type { IvrDeps } from './ivr-deps';

/**
 * The IVR as a background task: connects the AriTelephony adapter to the ARI endpoint it is given
 * (a real Asterisk or the sandbox's simulator, the same adapter either way), then answers calls.
 */
export function mountIvr(deps: IvrDeps): BackgroundTask {
  const log = deps.logger.child({ component: 'ivr' });
  const tel = new AriTelephony({ logger: log, ...(deps.ari.maxRequestsInFlight !== undefined && { maxRequestsInFlight: deps.ari.maxRequestsInFlight }) });
  promAriMetrics(deps.metrics, tel);
  const ivr = new IvrApp({
    tel,
    billing: deps.billing,
    options: deps.options,
    log,
    metrics: promCallMetrics(deps.metrics),
  });
  return {
    name: 'ivr',
    async start() {
      await tel.connect(await deps.ari.open());
      await ivr.start();
    },
    async stop() {
      await ivr.stop();
      await tel.close();
      await deps.ari.close();
    },
  };
}
