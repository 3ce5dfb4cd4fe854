import type { Billing } from '../billing';
import { availableMinor } from '../cards/card';
import { cardById } from '../cards/card-rows';
import type { Rate } from '../rating/rate';
import { isBillingError } from '../shared/errors';
import type { Result } from '../shared/errors';
import { BillingError, fail, ok } from '../shared/errors';
import type { Sql } from '../store/sql/database';
import type { Hold } from '../holds/hold';
import { CallMeter } from './call-meter';
import type { ChunkRequest } from './call-meter';
import { callChunkHold, holdsOfCall, reserveCallChunk, settleCallChunk, settleCallChunkInOneStatement } from './call-holds';
import { reserveOrReadInOneStatement } from '../holds/one-statement';
import { settleBuyCost } from './call-carrier';
import { ownsActiveCall, updateCallRecord } from './call-records';
import { finishInOneStatement } from './finish-one-statement';
import type { CallClose, ChunkSettlement } from './finish-one-statement';

/** What one reservation decided, applied to the meter after COMMIT. */
type ExtendStep = { kind: 'final' } | { kind: 'free'; req: ChunkRequest } | { kind: 'held'; hold_id: string; req: ChunkRequest };

/** How long a chunk's hold outlives its chunk, so a restarted IVR can still capture it. */
export const CALL_HOLD_GRACE_MS = 10 * 60_000;

/**
 * One call's metering against the database: reserves chunks as holds (the call never holds more
 * than its next chunk, so merchants can spend the rest), captures each elapsed chunk, shrinks the
 * limit when money runs short, and settles the exact rated cost at the end.
 */
export class CallMetering {
  readonly meter: CallMeter;

  constructor(
    private readonly billing: Billing,
    readonly call_id: string,
    readonly card_id: number,
    readonly currency: string,
    rate: Rate,
    chunk_s = 60,
    /** The IVR node metering the call: every money write checks it still owns the call (fencing). */
    readonly owner?: string,
  ) {
    this.meter = new CallMeter(rate, chunk_s);
  }

  /** False when another node has taken the call over (this node's lease expired). */
  private async owned(q: Sql): Promise<boolean> {
    return this.owner === undefined || ownsActiveCall(q, this.call_id, this.owner);
  }

  private notOwned(): BillingError {
    return new BillingError('invalid_state', `call ${this.call_id} is no longer owned by IVR node ${this.owner ?? ''}`);
  }

  get limit_s(): number {
    return this.meter.covered_s;
  }

  /**
   * The card's available balance just after this call's last money move, when that move was one
   * statement that returned it (PostgreSQL); undefined when it did not tell (the general path,
   * SQLite). A caller that made a move may use it instead of reading the card.
   */
  get availableAfterLastMove(): number | undefined {
    return this.availableAfterMove;
  }

  private availableAfterMove: number | undefined;

  /**
   * Reserves the next chunk. Ok(true) when the limit grew; ok(false) when no more money can be
   * reserved (the limit is now final); a failure only for a card that can no longer be spent.
   * The in-memory meter changes only once the transaction has COMMITTED: a rejected promise (a failed
   * COMMIT, a lock never obtained) leaves the meter exactly as it was, so it never counts a chunk
   * whose hold does not exist. Reservations of one call run one at a time.
   */
  extend(): Promise<Result<boolean>> {
    const next = this.extending.then(() => this.extendOnce());
    this.extending = next.then(() => undefined, () => undefined);
    return next;
  }

  private extending: Promise<void> = Promise.resolve();

  private async extendOnce(): Promise<Result<boolean>> {
    if (this.meter.limitIsFinal) return ok(false);
    this.availableAfterMove = undefined;
    const decided = await this.extendInOneStatement();
    if (decided !== null) return ok(decided);
    const step = await this.billing.tx(async (ctx): Promise<Result<ExtendStep>> => {
      if (!(await this.owned(ctx.q))) return { ok: false as const, error: this.notOwned() };
      // Locked: the chunk is sized from the same available balance the reservation then checks, so a
      // concurrent merchant spend makes the limit shrink to what is affordable, never end early.
      const card = await cardById(ctx.q, this.card_id, true);
      if (!card) return fail('not_found', 'card');
      const req: ChunkRequest | null = this.meter.nextChunk(availableMinor(card));
      if (!req) return ok({ kind: 'final' });
      // A plateau of the price curve (minimum charge, a cheap rate rounding to the same cent, a
      // free destination): nothing to hold, the time is covered at no cost.
      if (req.amount_minor === 0) return ok({ kind: 'free', req });
      const ttl_ms = (req.to_s - req.from_s) * 1000 + CALL_HOLD_GRACE_MS;
      const hold = await reserveCallChunk(ctx, this.call_id, card, req.amount_minor, this.currency, ttl_ms, req);
      if (!hold.ok) return hold.error.code === 'insufficient_funds' ? ok({ kind: 'final' }) : hold;
      return ok({ kind: 'held', hold_id: hold.value.id, req });
    });
    // Committed: only now does the meter learn of it.
    if (!step.ok) return step;
    const s = step.value;
    if (s.kind === 'final') {
      this.meter.limitIsFinal = true;
      return ok(false);
    }
    if (s.kind === 'free') this.meter.addChunk(`free_${this.call_id}_${s.req.from_s}`, s.req, 'captured');
    else this.meter.addChunk(s.hold_id, s.req);
    return ok(true);
  }

  /**
   * PostgreSQL: the next chunk in one statement (one round trip, the ownership fenced in the same
   * statement), the meter told once it has committed. When the card no longer affords a whole
   * chunk, a second statement reads its money, locked: from that, as the general path would, the
   * limit becomes final (nothing affordable) or a third statement reserves the shrunk chunk, while
   * the card still has exactly that money. True when a chunk was reserved, false when the limit is now
   * final; null when anything else must be decided (a free chunk, a card that may not be spent, a
   * call taken over, a row locked elsewhere): extendOnce then decides in a transaction.
   */
  private async extendInOneStatement(): Promise<boolean | null> {
    const whole = await this.reserveChunkInOneStatement(this.meter.nextChunk(Number.MAX_SAFE_INTEGER));
    if (whole === null || whole === true) return whole;
    // Declined: sized from the card's money as the read after it locked it.
    const shrunk = this.meter.nextChunk(whole.available);
    if (!shrunk) {
      this.meter.limitIsFinal = true;
      return false;
    }
    if (!shrunk.shrunk) return null;
    return (await this.reserveChunkInOneStatement(shrunk, whole.available)) === true ? true : null;
  }

  /**
   * `req` reserved in one statement (only while the card has exactly `sized_from` available, when
   * given): true, the meter told; `available`, the declined card's money; null for the general path.
   */
  private async reserveChunkInOneStatement(req: ChunkRequest | null, sized_from?: number): Promise<true | { available: number } | null> {
    const ctx = this.billing.oneStatement();
    if (!ctx || !req || req.amount_minor <= 0) return null;
    const ttl_ms = (req.to_s - req.from_s) * 1000 + CALL_HOLD_GRACE_MS;
    const done = await reserveOrReadInOneStatement(ctx.q, ctx.now_ms, this.card_id, callChunkHold(this.call_id, req.amount_minor, this.currency, ttl_ms, req), this.owner, sized_from);
    if (!done) return null;
    if ('declined' in done) return { available: availableMinor(done.declined) };
    this.meter.addChunk(done.hold.id, req);
    this.availableAfterMove = availableMinor(done.card);
    return true;
  }

  /**
   * Rebuilds a call's meter from its holds after a restart or reconnect (each call hold records
   * its span as `chunk FROM-TO`). Voided/expired-unpaid chunks end the covered time.
   */
  static async restore(billing: Billing, call_id: string, card_id: number, currency: string, rate: Rate, chunk_s = 60, owner?: string): Promise<CallMetering> {
    const m = new CallMetering(billing, call_id, card_id, currency, rate, chunk_s, owner);
    meterFromHolds(m.meter, call_id, await holdsOfCall(billing.read(), call_id), { stillHeldOnly: false });
    return m;
  }

  /** Captures every chunk whose time has fully elapsed. */
  async captureElapsed(elapsed_s: number): Promise<number> {
    let n = 0;
    for (const c of this.meter.dueForCapture(elapsed_s)) {
      this.availableAfterMove = undefined;
      const one = this.billing.oneStatement();
      const card = one && (await settleCallChunkInOneStatement(one, c.hold_id, c.amount_minor, this.owner));
      if (card) {
        this.availableAfterMove = availableMinor(card);
      } else {
        const r = await this.billing.tx(async (ctx) => {
          if (!(await this.owned(ctx.q))) throw this.notOwned();
          return settleCallChunk(ctx, c.hold_id, c.amount_minor);
        });
        if (!r.ok) throw r.error;
      }
      this.meter.markCaptured(c.hold_id);
      n++;
    }
    return n;
  }

  /** Final bill: captures exactly the rated cost of `duration_s` (0 when never answered), releases the rest, closes the call record (with its buy cost when the carrier is known). */
  async finish(duration_s: number, fields: { hangup_cause: string | null; answered_at_ms: number | null; ended_at_ms: number; status: 'completed' | 'failed' }): Promise<{ billed_s: number; cost_minor: number; captured_minor: number }> {
    const talk_s = this.meter.talkSeconds(duration_s);
    const bill = this.meter.settle(duration_s);
    const close = {
      billed_seconds: bill.billed_s, cost_minor: bill.cost_minor, talk_ms: Math.round(talk_s * 1000),
      hangup_cause: fields.hangup_cause, answered_at_ms: fields.answered_at_ms, ended_at_ms: fields.ended_at_ms, status: fields.status,
    };
    const captured = (await this.billInOneStatement(bill.captures, close)) ?? await this.billing.tx(async (ctx) => {
      if (!(await this.owned(ctx.q))) throw this.notOwned();
      let total = this.meter.captured_minor;
      for (const c of bill.captures) {
        const r = await settleCallChunk(ctx, c.hold_id, c.amount_minor);
        // A chunk whose hold expired while nobody metered (IVR down) and whose money was spent
        // since cannot be collected: the call record keeps cost and captured apart.
        if (r.ok) total += c.amount_minor;
        else if (!(isBillingError(r.error) && (r.error.code === 'invalid_state' || r.error.code === 'insufficient_funds'))) throw r.error;
      }
      await updateCallRecord(ctx.q, this.call_id, { ...close, captured_minor: total });
      // The buy side, when the SIP edge already named the winning carrier (else when it does).
      await settleBuyCost(ctx.q, this.call_id);
      return total;
    });
    for (const c of bill.captures) this.meter.markCaptured(c.hold_id);
    return { billed_s: bill.billed_s, cost_minor: bill.cost_minor, captured_minor: captured };
  }

  /**
   * PostgreSQL, when this node still owns the call and every chunk the bill settles is still
   * pending: the whole final bill in one statement (finish-one-statement.ts). The total captured,
   * or null when the transaction of finish must decide (nothing was written).
   */
  private async billInOneStatement(captures: readonly ChunkSettlement[], close: Omit<CallClose, 'captured_minor'>): Promise<number | null> {
    const one = this.billing.oneStatement();
    if (!one || this.owner === undefined) return null;
    const total = captures.reduce((n, c) => n + c.amount_minor, this.meter.captured_minor);
    return (await finishInOneStatement(one, this.call_id, this.owner, captures, { ...close, captured_minor: total })) ? total : null;
  }
}

/**
 * Rebuilds a call's chunks from its holds (each call hold records its span as `chunk FROM-TO`).
 * Voided chunks end the covered time. An expired chunk stays billable for the IVR (captureHold takes
 * it if the money is still there); `stillHeldOnly` stops at the first chunk that is neither captured
 * nor still pending (billing from a CDR never goes beyond money still held).
 */
export function meterFromHolds(meter: CallMeter, call_id: string, holds: readonly Hold[], opts: { stillHeldOnly: boolean }): void {
  const spans = holds
    .map((h) => ({ h, span: /^chunk (\d+)-(\d+)$/.exec(h.description ?? '') }))
    .filter((x): x is { h: Hold; span: RegExpExecArray } => x.span !== null && x.h.status !== 'voided')
    .sort((a, b) => Number(a.span[1]) - Number(b.span[1]));
  for (const { h, span } of spans) {
    if (opts.stillHeldOnly && h.status !== 'captured' && h.status !== 'pending') break;
    // Free chunks leave no hold: fill the gap they covered at no cost.
    if (Number(span[1]) > meter.covered_s) meter.addChunk(`free_${call_id}_${meter.covered_s}`, { from_s: meter.covered_s, to_s: Number(span[1]), amount_minor: 0 }, 'captured');
    const req = { from_s: Number(span[1]), to_s: Number(span[2]), amount_minor: h.status === 'captured' ? h.captured_minor : h.amount_minor };
    meter.addChunk(h.id, req, h.status === 'captured' ? 'captured' : 'pending');
  }
}
