/**
 * Calls per second and concurrent calls for one key (a carrier, an inbound source, the whole edge).
 * CPS is a token bucket: up to `cps` calls in any second, refilled continuously (fractional rates work:
 * 0.5 = one call every 2 s). Pure: time comes in as `now_ms`.
 */
export interface CallLimits {
  cps: number | null;
  concurrent: number | null;
}

export type RefusedBy = 'cps' | 'concurrent';

export class CallLimiter {
  private active = 0;
  private tokens: number;
  private last_ms: number | undefined;

  constructor(private limits: CallLimits) {
    this.tokens = this.capacity;
  }

  private get capacity(): number {
    return this.limits.cps === null ? Infinity : Math.max(1, this.limits.cps);
  }

  /** New limits (an operator changed the carrier): the bucket keeps its level, capped to the new size. */
  setLimits(limits: CallLimits): void {
    if (limits.cps === this.limits.cps && limits.concurrent === this.limits.concurrent) return;
    this.limits = limits;
    this.tokens = Math.min(this.tokens, this.capacity);
  }

  private refill(now_ms: number): void {
    if (this.limits.cps === null) return;
    if (this.last_ms !== undefined && now_ms > this.last_ms) {
      this.tokens = Math.min(this.capacity, this.tokens + ((now_ms - this.last_ms) * this.limits.cps) / 1000);
    }
    this.last_ms = Math.max(this.last_ms ?? now_ms, now_ms);
  }

  /** Why a call starting now would be refused, or undefined when it may start. Changes nothing but the refill. */
  check(now_ms: number): RefusedBy | undefined {
    this.refill(now_ms);
    if (this.limits.concurrent !== null && this.active >= this.limits.concurrent) return 'concurrent';
    if (this.limits.cps !== null && this.tokens < 1) return 'cps';
    return undefined;
  }

  /** Counts a call that passed check(); returns its release (idempotent). */
  start(): () => void {
    this.active++;
    if (this.limits.cps !== null) this.tokens -= 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
    };
  }

  get activeCalls(): number {
    return this.active;
  }
}

export type Admission = { ok: true; release: () => void } | { ok: false; refusedBy: RefusedBy; index: number };

/** Admits a call only if EVERY limiter allows it (nothing is counted otherwise). */
export function admitAll(limiters: readonly CallLimiter[], now_ms: number): Admission {
  for (let i = 0; i < limiters.length; i++) {
    const refused = limiters[i]?.check(now_ms);
    if (refused) return { ok: false, refusedBy: refused, index: i };
  }
  const releases = limiters.map((l) => l.start());
  return { ok: true, release: () => { for (const r of releases) r(); } };
}

/** The stricter of two limits (null = unlimited). */
export function stricter(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}
