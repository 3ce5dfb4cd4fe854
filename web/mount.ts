import type { Express } from 'express';
import type { AppDeps, BackgroundTask } from '../scripts/serve/deps';

/** Mounts the cyber card site at / and returns its background tasks (mail outbox). Filled in by the site work. */
export function mountSite(_app: Express, _deps: AppDeps): BackgroundTask[] {
  return [];
}
