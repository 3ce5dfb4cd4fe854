import type { Admission } from '../core/call-limiter';
import { admitAll, CallLimiter } from '../core/call-limiter';
import type { Carrier } from '../routing-contract';

/**
 * Each carrier's concurrent calls and calls per second, as this edge process places them (limits from the
 * carrier row, re-read with every ranking). Several edges sharing a carrier each enforce the whole limit on
 * their own calls: split the carrier's capacity between them (README, SIP edge).
 */
export class CarrierCapacity {
  private readonly limiters = new Map<number, CallLimiter>();

  admit(carrier: Pick<Carrier, 'id' | 'max_concurrent' | 'cps'>, now_ms: number): Admission {
    const limits = { cps: carrier.cps, concurrent: carrier.max_concurrent };
    let limiter = this.limiters.get(carrier.id);
    if (!limiter) {
      limiter = new CallLimiter(limits);
      this.limiters.set(carrier.id, limiter);
    } else {
      limiter.setLimits(limits);
    }
    return admitAll([limiter], now_ms);
  }

  active(carrierId: number): number {
    return this.limiters.get(carrierId)?.activeCalls ?? 0;
  }
}
