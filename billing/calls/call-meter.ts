import type { Rate } from '../rating/rate';
import { billedSeconds, maxAffordableSeconds, priceBilledSeconds } from '../rating/rate';
import { assert } from '../shared/errors';

/**
 * The arithmetic of real-time metering, pure. A call's time since answer is covered by chunks
 * [from_s, to_s) on increment boundaries; chunk k costs price(to_s) − price(from_s), so the sum of
 * captured chunks telescopes to price(billed duration) — exactly the deck's rating, rounded once.
 * The first chunk is connect fee + initial increment (+ minimum charge); later chunks are `chunk_s`
 * long, or what the available money still affords.
 */
export interface Chunk {
  hold_id: string;
  from_s: number;
  to_s: number;
  amount_minor: number;
  state: 'pending' | 'captured';
}

export interface ChunkRequest {
  from_s: number;
  to_s: number;
  amount_minor: number;
  /** True when the money only affords part of a standard chunk: the limit is then final. */
  shrunk?: boolean;
}

/**
 * The one timer tolerance of real-time metering, in seconds: a moment within it of now counts as reached. Timers
 * fire a millisecond or so early or late; the metering schedule (ivr/calls/metered-call.ts) treats a wake-up within
 * it as due now, and `dueForCapture` captures a chunk whose end is within it, so both sides agree and no elapsed
 * chunk waits for a later wake-up. Far below the smallest increment (1 s, and billing rounds up to it): a chunk
 * captured this early is billed exactly the same.
 */
export const TIMER_TOLERANCE_S = 0.05;

export class CallMeter {
  readonly chunks: Chunk[] = [];
  /** True once a reservation failed for lack of money: the limit can no longer grow. */
  limitIsFinal = false;

  constructor(readonly rate: Rate, readonly chunk_s = 60) {
    assert(chunk_s > 0, 'chunk length');
  }

  /** Seconds since answer covered by reserved or captured money: the call's current limit. */
  get covered_s(): number {
    return this.chunks.length ? (this.chunks[this.chunks.length - 1] as Chunk).to_s : 0;
  }

  get captured_minor(): number {
    return this.chunks.filter((c) => c.state === 'captured').reduce((n, c) => n + c.amount_minor, 0);
  }

  private boundaryAtOrAfter(s: number): number {
    return billedSeconds(this.rate, s);
  }

  /** The next chunk to reserve: the first one, or a standard one, if `available_minor` affords it; else the affordable part; null when nothing is. */
  nextChunk(available_minor: number): ChunkRequest | null {
    const from_s = this.covered_s;
    const fromPrice = priceBilledSeconds(this.rate, from_s);
    const wanted_to = from_s === 0 ? this.rate.initial_increment_s : this.boundaryAtOrAfter(from_s + this.chunk_s);
    const wanted_amount = priceBilledSeconds(this.rate, wanted_to) - fromPrice;
    if (wanted_amount <= available_minor) return { from_s, to_s: wanted_to, amount_minor: wanted_amount };
    if (from_s === 0) return null;
    // Shrink: the longest extension the available money buys, on increment boundaries.
    const to_s = maxAffordableSeconds(this.rate, fromPrice + available_minor);
    if (to_s <= from_s) return null;
    return { from_s, to_s, amount_minor: priceBilledSeconds(this.rate, to_s) - fromPrice, shrunk: true };
  }

  addChunk(hold_id: string, req: ChunkRequest, state: Chunk['state'] = 'pending'): void {
    assert(req.from_s === this.covered_s, 'chunks are contiguous');
    this.chunks.push({ hold_id, from_s: req.from_s, to_s: req.to_s, amount_minor: req.amount_minor, state });
    if (req.shrunk) this.limitIsFinal = true;
  }

  /** Chunks whose time has fully elapsed (within TIMER_TOLERANCE_S) and can be captured whole. */
  dueForCapture(elapsed_s: number): Chunk[] {
    return this.chunks.filter((c) => c.state === 'pending' && c.to_s <= elapsed_s + TIMER_TOLERANCE_S);
  }

  markCaptured(hold_id: string): void {
    const c = this.chunks.find((x) => x.hold_id === hold_id);
    assert(c && c.state === 'pending', 'captured chunk was pending');
    c.state = 'captured';
  }

  /**
   * The final bill for a call that lasted `duration_s` after answer: what each still-pending chunk
   * must capture (0 = void) so the total equals price(billed seconds). Never more than held, never
   * less than already captured.
   */
  settle(duration_s: number): { billed_s: number; cost_minor: number; captures: Array<{ hold_id: string; amount_minor: number }> } {
    const d = this.talkSeconds(duration_s);
    const billed_s = Math.min(billedSeconds(this.rate, d), this.covered_s);
    const cost_minor = priceBilledSeconds(this.rate, billed_s);
    let remaining = cost_minor - this.captured_minor;
    assert(remaining >= 0, 'a call is never charged less than its captured chunks');
    const captures: Array<{ hold_id: string; amount_minor: number }> = [];
    for (const c of this.chunks) {
      if (c.state !== 'pending') continue;
      const take = Math.min(c.amount_minor, remaining);
      captures.push({ hold_id: c.hold_id, amount_minor: take });
      remaining -= take;
    }
    assert(remaining === 0, 'pending chunks cover the final charge');
    return { billed_s, cost_minor, captures };
  }

  /**
   * The talk time a call that lasted `duration_s` is billed for, before rounding to increments: no
   * more than was covered, never less than the chunks already paid for (captured money was for time
   * that elapsed). The carrier's increments apply to the same time (the call's buy cost).
   */
  talkSeconds(duration_s: number): number {
    const paidUpTo_s = this.chunks.filter((c) => c.state === 'captured' && c.amount_minor > 0).reduce((s, c) => Math.max(s, c.to_s), 0);
    return Math.max(Math.min(duration_s, this.covered_s), paidUpTo_s);
  }
}
