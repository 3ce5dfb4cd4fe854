import type { Express } from 'express';
import type { BackgroundTask } from '../../billing/shared/background-task';
import type { AriSimulator } from '../../ivr/sim/ari-simulator';
import { PhoneRegistry } from './phone-registry';
import { phoneRoutes } from './phone-routes';
import { installSandboxFarEnds } from '../sandbox-far-ends';
import type { SandboxDeps } from '../sandbox-deps';

/**
 * Mounts the sandbox web phone at /phone, driving the in-process ARI simulator. Called by
 * sandbox/telephony.ts only when no real Asterisk is configured. Installs the sandbox far ends (which
 * dialled numbers answer, are busy, …) and returns the task that watches the simulator for the
 * browsers' calls (stopping it hangs up every sandbox call).
 */
export function mountWebPhone(app: Express, deps: SandboxDeps, simulator: AriSimulator): BackgroundTask[] {
  installSandboxFarEnds(simulator);
  const registry = new PhoneRegistry(simulator, deps.billing, deps.logger.child({ component: 'web-phone' }));
  app.use('/phone', phoneRoutes(deps, registry));
  return [{
    name: 'web-phone',
    start: () => registry.start(),
    stop: () => registry.stop(),
  }];
}
