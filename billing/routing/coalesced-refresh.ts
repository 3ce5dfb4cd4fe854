import { BillingError } from '../shared/errors';

interface Waiter<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}

/**
 * Freshness without a query per caller: every caller gets the result of a refresh that STARTED
 * after it asked — so whatever was committed before the call is seen — and callers that ask while
 * a refresh runs share the next one (like a group commit). Bounded: at most `maxWaiting` callers
 * wait (more are refused with rate_limited), and a refresh still running `timeout_ms` after it
 * started fails its callers and everyone waiting (one reusable watchdog timer, not one per refresh).
 */
export class CoalescedRefresh<T> {
  private waiting: Array<Waiter<T>> = [];
  private running = false;
  private current: { started_ms: number; fail(error: unknown): void } | undefined;
  private watchdog: NodeJS.Timeout | undefined;

  constructor(
    private readonly refresh: () => Promise<T>,
    private readonly options: { maxWaiting: number; timeout_ms: number },
  ) {}

  next(): Promise<T> {
    if (this.waiting.length >= this.options.maxWaiting) {
      return Promise.reject(new BillingError('rate_limited', `routing is busy: ${this.options.maxWaiting} rankings already wait for the deck check`));
    }
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      // Each turn serves at least one waiter, and waiters are bounded: the loop ends.
      while (this.waiting.length) {
        const batch = this.waiting;
        this.waiting = [];
        let settled = false;
        const settle = (fn: (w: Waiter<T>) => void) => {
          if (settled) return;
          settled = true;
          for (const w of batch) fn(w);
        };
        this.current = { started_ms: Date.now(), fail: (error) => settle((w) => w.reject(error)) };
        this.arm();
        try {
          const value = await this.refresh();
          settle((w) => w.resolve(value));
        } catch (error) {
          settle((w) => w.reject(error));
        }
      }
    } finally {
      this.current = undefined;
      this.running = false;
    }
  }

  private arm(): void {
    if (this.watchdog) {
      this.watchdog.refresh();
      return;
    }
    this.watchdog = setTimeout(() => this.bark(), this.options.timeout_ms);
    this.watchdog.unref();
  }

  /** The refresh in flight is too old: its callers, and all who wait behind it, fail now. */
  private bark(): void {
    const c = this.current;
    if (!c) return;
    const age_ms = Date.now() - c.started_ms;
    if (age_ms < this.options.timeout_ms) {
      this.watchdog?.refresh();
      return;
    }
    const error = new BillingError('internal_error', `the routing deck check has taken ${age_ms} ms (limit ${this.options.timeout_ms} ms)`);
    c.fail(error);
    const behind = this.waiting;
    this.waiting = [];
    for (const w of behind) w.reject(error);
    this.watchdog?.refresh();
  }
}
