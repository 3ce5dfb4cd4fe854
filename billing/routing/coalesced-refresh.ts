import { BillingError } from '../shared/errors';

interface Waiter<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}

/**
 * Freshness without a query per caller: every caller gets the result of a refresh that STARTED
 * after it asked — so whatever was committed before the call is seen — and callers that ask while
 * a refresh runs share the next one (like a group commit). Bounded: at most `maxWaiting` callers
 * wait (more are refused with rate_limited), and a refresh that takes longer than `timeout_ms`
 * fails its callers (the next batch starts a new one).
 */
export class CoalescedRefresh<T> {
  private waiting: Array<Waiter<T>> = [];
  private running = false;

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
        try {
          const value = await this.withTimeout(this.refresh());
          for (const w of batch) w.resolve(value);
        } catch (error) {
          for (const w of batch) w.reject(error);
        }
      }
    } finally {
      this.running = false;
    }
  }

  private withTimeout(p: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new BillingError('internal_error', `the routing deck check took longer than ${this.options.timeout_ms} ms`)), this.options.timeout_ms);
    });
    p.catch(() => undefined); // an abandoned refresh may still fail later: nobody waits for it
    return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
  }
}
