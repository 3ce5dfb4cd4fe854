import type { Express } from 'express';
import type { AppDeps, BackgroundTask } from '../../scripts/serve/deps';
import type { AriSimulator } from '../../ivr/sim/ari-simulator';

/**
 * Mounts the sandbox web phone at /phone, driving the in-process ARI simulator. Called by
 * ivr/app/mount.ts only when no real Asterisk is configured. Filled in by the sandbox work.
 */
export function mountWebPhone(_app: Express, _deps: AppDeps, _simulator: AriSimulator): BackgroundTask[] {
  return [];
}
