import type { Billing } from '../../billing/billing';
import { deliverDueMail, DEFAULT_DELIVERY } from '../../billing/mail/deliver';
import type { MailRenderer } from '../../billing/mail/deliver';
import type { MailTransport } from '../../billing/mail/mail-transport';
import type { Logger } from '../../billing/shared/logger';
import type { BackgroundTask } from '../../billing/shared/background-task';

export interface OutboxTask extends BackgroundTask {
  /** Runs a pass soon (after a purchase), besides the regular polling. */
  wake(): void;
}

/** Polls the outbox every `poll_ms` (any number of processes may run it), one pass at a time. */
export function createOutboxTask(billing: Billing, transport: MailTransport, renderer: MailRenderer, logger: Logger, o: { poll_ms: number; retry_base_ms: number; max_attempts: number }): OutboxTask {
  const policy = { ...DEFAULT_DELIVERY, retry_base_ms: o.retry_base_ms, max_attempts: o.max_attempts };
  const log = logger.child({ task: 'mail-outbox' });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = true;
  const pass = (): void => {
    if (stopped) return;
    if (running) { again = true; return; }
    running = (async () => {
      do {
        again = false;
        // Bounded: a full batch loops at most 10 times per pass.
        for (let i = 0; i < 10; i++) {
          const r = await deliverDueMail(billing, transport, renderer, policy, log);
          if (r.sent + r.failed < policy.batch) break;
        }
      } while (again && !stopped);
    })().catch((err: unknown) => log.error('outbox pass failed', { err })).finally(() => { running = undefined; });
  };
  return {
    name: 'mail-outbox',
    start() {
      stopped = false;
      timer = setInterval(pass, o.poll_ms);
      timer.unref();
      pass();
    },
    wake() { setImmediate(pass); },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await running;
      transport.close?.();
    },
  };
}
