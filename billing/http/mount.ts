import type { Express } from 'express';
import type { AppDeps, BackgroundTask } from '../../scripts/serve/deps';

/** Mounts the settlement API (/v1, /openapi.json, docs, health, metrics). Filled in by the settlement API work. */
export function mountSettlementApi(_app: Express, _deps: AppDeps): BackgroundTask[] {
  return [];
}
