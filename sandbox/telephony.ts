import { randomBytes } from 'node:crypto';
import type { Express } from 'express';
import type { BackgroundTask } from '../billing/shared/background-task';
import type { AriEndpoint } from '../ivr/ivr-deps';
import { AriSimulator } from '../ivr/sim/ari-simulator';
import { mountWebPhone } from './phone/mount';
import { sandboxMediaDuration } from './phone/prompt-media';
import type { SandboxDeps } from './sandbox-deps';

export interface TelephonySandbox {
  /** Where the IVR connects: the built-in ARI simulator, started when the IVR starts. */
  ari: AriEndpoint;
  /** The web phone's task (watches the simulator for the browsers' calls). */
  tasks: BackgroundTask[];
}

/**
 * The telephony sandbox, used when no real Asterisk is configured: the built-in ARI simulator
 * (ivr/sim) on a loopback port, the sandbox far ends, and the web phone at /phone. This is the one
 * seam between the sandbox and the IVR: the IVR sees only an AriEndpoint and connects the SAME
 * AriTelephony adapter to it that it connects to a real Asterisk.
 */
export function telephonySandbox(app: Express, deps: SandboxDeps): TelephonySandbox {
  const log = deps.logger.child({ component: 'ivr' });
  const password = randomBytes(12).toString('hex');
  const simulator = new AriSimulator({ user: 'prepaid', password, mediaDuration: sandboxMediaDuration });
  const ari: AriEndpoint = {
    async open() {
      const url = await simulator.start();
      log.info('telephony sandbox: built-in ARI simulator (no ARI_URL)', { url });
      return { url, user: 'prepaid', password, app: 'prepaid' };
    },
    close: () => simulator.stop(),
  };
  return { ari, tasks: mountWebPhone(app, deps, simulator) };
}
