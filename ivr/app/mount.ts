import type { Express } from 'express';
import type { AppDeps, BackgroundTask } from '../../scripts/serve/deps';

/**
 * Starts the IVR (and, when ARI_URL is unset, the in-process ARI simulator as a sandbox) and mounts
 * the sandbox web phone at /phone. Filled in by the call-flow and sandbox work.
 */
export function mountTelephony(_app: Express, _deps: AppDeps): BackgroundTask[] {
  return [];
}
