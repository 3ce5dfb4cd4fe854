import type { Billing } from '../billing/billing';
import type { Logger } from '../billing/shared/logger';
import type { BackgroundTask } from './deps';

/** Expires overdue holds, books breakage, purges old idempotency keys; safe in every process at once. */
export function createSweeper(billing: Billing, logger: Logger, interval_ms = 5000): BackgroundTask {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let busy = false;
  const tick = () => {
    if (busy) return; // a slow sweep is never stacked on another
    busy = true;
    running = billing.sweep().then(
      (r) => { if (r.expired_holds || r.breakage) logger.info('sweep', r); },
      (err: unknown) => logger.error('sweep failed', { err }),
    ).finally(() => { busy = false; });
  };
  return {
    name: 'sweeper',
    start() { timer = setInterval(tick, interval_ms); timer.unref(); },
    async stop() { if (timer) clearInterval(timer); await running; },
  };
}
