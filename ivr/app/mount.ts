import { randomBytes } from 'node:crypto';
import type { Express } from 'express';
import type { AppDeps, BackgroundTask } from '../../scripts/serve/deps';
import { mountWebPhone } from '../../web/phone/mount';
import { sandboxMediaDuration } from '../../web/phone/prompt-media';
import { AriTelephony } from '../ari/ari-telephony';
import type { ConnectParams } from '../ari/telephony';
import { ivrOptions } from '../calls/ivr-options';
import { IvrApp } from '../calls/ivr-app';
import { AriSimulator } from '../sim/ari-simulator';
import { promCallMetrics } from './call-metrics-prom';

/**
 * Starts the IVR. With ARI_URL set it connects to that Asterisk; without, it starts the built-in ARI
 * simulator on a loopback port and connects the SAME AriTelephony adapter to it (the sandbox), and
 * mounts the web phone at /phone to place calls into it.
 */
export function mountTelephony(app: Express, deps: AppDeps): BackgroundTask[] {
  const { config, logger } = deps;
  const log = logger.child({ component: 'ivr' });
  const sandboxPassword = randomBytes(12).toString('hex');
  const simulator = config.ari
    ? undefined
    : new AriSimulator({ user: 'prepaid', password: sandboxPassword, mediaDuration: sandboxMediaDuration });
  const tel = new AriTelephony({ logger: log });
  const ivr = new IvrApp({
    tel,
    billing: deps.billing,
    options: ivrOptions({
      trunkEndpoint: config.trunkEndpoint,
      languages: config.ivr.languages,
      defaultCountry: config.ivr.defaultCountry,
      nodeId: config.ivr.nodeId,
      leaseTtl_ms: config.ivr.leaseTtl_s * 1000,
      awaitCdr: config.cdr !== null,
      ...(config.ivr.outboundCallerId ? { outboundCallerId: config.ivr.outboundCallerId } : {}),
    }),
    log,
    metrics: promCallMetrics(deps.metrics),
  });
  const ivrTask: BackgroundTask = {
    name: 'ivr',
    async start() {
      let params: ConnectParams;
      if (simulator) {
        const url = await simulator.start();
        params = { url, user: 'prepaid', password: sandboxPassword, app: 'prepaid' };
        log.info('telephony sandbox: built-in ARI simulator (no ARI_URL)', { url });
      } else {
        const ari = config.ari as NonNullable<typeof config.ari>;
        params = { url: ari.url, user: ari.username, password: ari.password, app: ari.app };
      }
      await tel.connect(params);
      await ivr.start();
    },
    async stop() {
      await ivr.stop();
      await tel.close();
      await simulator?.stop();
    },
  };
  return [ivrTask, ...(simulator ? mountWebPhone(app, deps, simulator) : [])];
}
