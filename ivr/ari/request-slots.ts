import { AriError } from './errors';

interface Waiter {
  start(): void;
}

/**
 * At most `max` ARI requests out at once; the others wait their turn, first come first served.
 *
 * Asterisk's HTTP server takes at most `sessionlimit` connections at once (http.conf, default 100,
 * WebSockets included) and closes any connection beyond that without answering. Node opens one
 * connection per request in flight, and ari-client never settles a request whose connection was
 * closed: 500 calls logging in together would open ~300 connections, and the requests beyond the
 * limit would hang until their timeout. Bounded here, they queue in the process instead.
 *
 * The deadline counts from the call, time waiting for a slot included. A request still waiting
 * when it passes is never sent (its caller has already been told `ari_timeout`). A request sent
 * and not answered by then gives its slot back at the deadline, so a request ari-client never
 * settles cannot hold a slot for ever.
 */
export class RequestSlots {
  private active = 0;
  private readonly waiting: Waiter[] = [];

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError('at least one ARI request must be allowed in flight');
  }

  /** Requests sent and not yet answered (or timed out). */
  get inFlight(): number {
    return this.active;
  }

  /** Requests waiting for a slot. */
  get queued(): number {
    return this.waiting.length;
  }

  run<T>(send: () => PromiseLike<T>, timeout_ms: number, operation: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      let holding = false;
      const release = (): void => {
        if (!holding) return;
        holding = false;
        this.active--;
        this.next();
      };
      const waiter: Waiter = {
        start: () => {
          holding = true;
          this.active++;
          let sent: PromiseLike<T>;
          try {
            sent = send();
          } catch (err) {
            finish(() => reject(err));
            return;
          }
          Promise.resolve(sent).then((value) => finish(() => resolve(value)), (err: unknown) => finish(() => reject(err)));
        },
      };
      const finish = (settle: () => void): void => {
        release();
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        settle();
      };
      const timer = setTimeout(() => {
        const at = this.waiting.indexOf(waiter);
        if (at >= 0) this.waiting.splice(at, 1);
        const message = at >= 0 ? `${operation}: not sent within ${timeout_ms} ms (all ${this.max} request slots stayed busy)` : `${operation}: no answer within ${timeout_ms} ms`;
        finish(() => reject(new AriError('ari_timeout', message, { operation, timeout_ms, sent: at < 0 })));
      }, timeout_ms);
      if (this.active < this.max) waiter.start();
      else this.waiting.push(waiter);
    });
  }

  private next(): void {
    while (this.active < this.max) {
      const waiter = this.waiting.shift();
      if (!waiter) return;
      waiter.start();
    }
  }
}
