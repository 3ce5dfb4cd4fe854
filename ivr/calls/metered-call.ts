import { TIMER_TOLERANCE_S } from '../../billing/calls/call-meter';
import type { CallMetering } from '../../billing/calls/call-metering';
import { availableMinor } from '../../billing/cards/card';
import { cardById } from '../../billing/cards/card-rows';
import { maxAffordableSeconds, priceBilledSeconds } from '../../billing/rating/rate';
import type { Logger } from '../../billing/shared/logger';
import type { Unsubscribe } from '../ari/telephony';
import type { CallOutcome } from './call-metrics';
import type { IvrContext } from './ivr-context';

/** Why a metered leg ended. */
/** `detached`: this process let go of the call (shutdown); nothing was billed, the next start reconciles it. */
export type TalkEnd = 'caller_hangup' | 'far_end_hangup' | 'cut_off' | 'failed' | 'detached';

export interface TalkResult {
  end: TalkEnd;
  /** Seconds from answer to the end, as measured (before rounding to increments). */
  duration_s: number;
  billed_s: number;
  cost_minor: number;
}

export interface MeteredCallParams {
  callId: string;
  callerChannelId: string;
  outChannelId: string;
  metering: CallMetering;
  /** Call-clock time of answer. */
  answeredAt_ms: number;
  /** Resolves when the caller's channel has gone. */
  callerGone: Promise<void>;
  /** Plays the one-minute warning to the caller (on the caller's channel, heard while bridged). */
  playWarning: () => Promise<void>;
  log: Logger;
}

/** Moments within this of now count as reached: the same tolerance CallMeter.dueForCapture() uses. */
const TOLERANCE_S = TIMER_TOLERANCE_S;
/** Smallest TIMEOUT(absolute) ever set. */
const MIN_TIMEOUT_S = 0.001;
/** While the event socket is down, the outbound leg is probed (over REST) this often. */
const PROBE_S = 1;

/**
 * One answered outbound leg, metered in real time. The call holds only its next chunk: each chunk
 * is captured when its time has elapsed and the next reserved `reserveAhead_s` before the covered
 * time ends; when no more can be reserved the limit is final and the leg is hung up at it. The
 * outbound channel's TIMEOUT(absolute) always equals the covered time left (+ a grace second), so
 * Asterisk ends the call at the limit even if this process dies. Billing is serialised through one
 * promise chain, so a tick and the final settlement never interleave.
 *
 * While the event socket is down nobody would hear the leg end, so metering fails closed: nothing
 * is captured beyond the moment the socket went, no chunk is reserved (TIMEOUT(absolute) ends the
 * leg at the covered time), and the leg is probed over REST: a leg found gone ends the call at the
 * last moment it was confirmed up. A reconnect whose snapshot lacks the leg does the same; a
 * reconnect without a snapshot, or a socket given up for good, ends the call there and hangs up.
 */
export class MeteredCall {
  readonly result: Promise<TalkResult>;
  private resolveResult: (r: TalkResult) => void = () => {};
  private ended = false;
  private detachedFlag = false;
  private warned = false;
  private started = false;
  private cancelTimer?: () => void;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly unsubscribes: Unsubscribe[] = [];
  /** Call-clock time the event socket went down, while it is down. */
  private disconnectedAt_ms?: number;
  /** While it is down: the last time a REST probe found the leg up. */
  private confirmedAt_ms?: number;

  constructor(private readonly ctx: IvrContext, readonly p: MeteredCallParams) {
    this.result = new Promise((resolve) => { this.resolveResult = resolve; });
    const { tel } = ctx;
    const out = p.outChannelId;
    this.unsubscribes.push(tel.onChannel(out, (e) => {
      if ((e.type === 'ChannelHangupRequest' || e.type === 'StasisEnd' || e.type === 'ChannelDestroyed') && e.channel.id === out) {
        this.end(this.atLimit() ? 'cut_off' : 'far_end_hangup');
      }
    }));
    this.unsubscribes.push(tel.on((e) => {
      if (e.type === 'Disconnected') this.disconnectedAt_ms ??= this.now();
      else if (e.type === 'Reconnected') {
        const lostAt = this.lastConfirmed_ms();
        this.disconnectedAt_ms = undefined;
        this.confirmedAt_ms = undefined;
        if (!e.snapshot) {
          // We cannot tell what happened meanwhile: fail closed, bill to the moment we last knew.
          p.log.error('event socket back without a snapshot: ending the call', {});
          this.end('failed', lostAt);
          return;
        }
        const present = new Set(e.snapshot.channels.map((c) => c.id));
        // Gone while we could not hear: bill up to the moment we last knew it was up.
        if (!present.has(out)) this.end('far_end_hangup', lostAt);
        else if (!present.has(p.callerChannelId)) this.end('caller_hangup', lostAt);
        else if (this.started) this.tickNow();
      } else if (e.type === 'ConnectionLost') {
        // Nothing more will be heard of this leg: end it and bill to the moment we last knew.
        p.log.error('event socket given up: ending the call', { reason: e.reason });
        this.end('failed', this.lastConfirmed_ms());
      }
    }));
    void p.callerGone.then(() => this.end('caller_hangup'));
  }

  get limit_s(): number {
    return this.p.metering.limit_s;
  }

  /** Starts metering (sets the Asterisk-side limit, arms the timers). */
  start(): void {
    if (this.started || this.ended) return;
    this.started = true;
    this.unsubscribes.push(this.ctx.balances.watch(this.p.metering.card_id, (available) => this.onAvailableChanged(available)));
    void this.enqueue(() => this.tick());
  }

  /** Ends the leg from our side (e.g. after an error), billing it to this second. */
  hangUp(reason: TalkEnd): Promise<void> {
    this.end(reason);
    return this.result.then(() => undefined);
  }

  /** Process shutdown: stop timers and listeners, touch neither the leg nor the money. */
  detach(): void {
    if (this.ended) return;
    this.ended = true;
    this.detachedFlag = true;
    this.cancelTimer?.();
    for (const u of this.unsubscribes) u();
    this.resolveResult({ end: 'detached', duration_s: 0, billed_s: 0, cost_minor: 0 });
  }

  get isDetached(): boolean {
    return this.detachedFlag;
  }

  private now(): number {
    return this.ctx.options.clock.now_ms();
  }

  /** The last moment the leg was known to be up: now, or while the socket is down, the last probe or the moment it went. */
  private lastConfirmed_ms(): number {
    if (this.disconnectedAt_ms === undefined) return this.now();
    return Math.max(this.disconnectedAt_ms, this.confirmedAt_ms ?? this.disconnectedAt_ms);
  }

  private elapsed_s(at_ms = this.now()): number {
    return Math.max(0, (at_ms - this.p.answeredAt_ms) / 1000);
  }

  /** The leg went at its covered limit: Asterisk's TIMEOUT(absolute) (or our own cut) ended it. */
  private atLimit(): boolean {
    const at = this.elapsed_s() >= this.limit_s - 0.5;
    if (at && !this.p.metering.meter.limitIsFinal) {
      this.p.log.warn('the leg reached its covered limit before the next chunk was reserved (IVR or database too slow)', { limit_s: this.limit_s });
    }
    return at;
  }

  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private tickNow(): void {
    this.cancelTimer?.();
    this.cancelTimer = this.ctx.options.clock.after(0, () => {
      this.cancelTimer = undefined;
      void this.enqueue(() => this.tick());
    });
  }

  private async tick(): Promise<void> {
    if (this.ended) return;
    const { metering } = this.p;
    const o = this.ctx.options;
    // Whether this tick moved money: only then may the card's money after that move stand in for
    // reading the card (a move made earlier may predate a spend elsewhere that woke this tick).
    let moved = false;
    let now_s = this.elapsed_s();
    let projected = metering.limit_s;
    let reschedule = true;
    let billingFailed = false;
    try {
      const elapsed = now_s;
      const lostAt = this.disconnectedAt_ms;
      try {
        if (lostAt === undefined) {
          // Reserving the next chunk is the time-critical part (Asterisk cuts the leg at the covered
          // time): reserve, move the Asterisk-side limit, then capture what has elapsed.
          const ahead = Math.min(o.reserveAhead_s, o.chunk_s / 2);
          if (!metering.meter.limitIsFinal && elapsed >= metering.limit_s - ahead - TOLERANCE_S) {
            const r = await metering.extend();
            moved = true;
            if (!r.ok) {
              this.p.log.warn('chunk reservation refused: the limit is final', { code: r.error.code });
              metering.meter.limitIsFinal = true;
            }
            if (!this.ended) await this.followLimitInAsterisk(this.elapsed_s());
          }
        }
        // Deaf (socket down): only time confirmed before the socket went is captured.
        if (await metering.captureElapsed(lostAt === undefined ? elapsed : Math.min(elapsed, this.elapsed_s(lostAt))) > 0) moved = true;
      } catch (err) {
        // Fail closed: without billing we do not extend; the leg ends at what is already covered.
        this.p.log.error('metering failed: the limit is final', { error: err instanceof Error ? err.message : String(err) });
        metering.meter.limitIsFinal = true;
        billingFailed = true;
      }
      if (this.ended) return;
      if (this.disconnectedAt_ms !== undefined) {
        await this.probeLeg();
        if (this.ended) return;
      }
      now_s = this.elapsed_s();
      if (now_s >= metering.limit_s - TOLERANCE_S) {
        if (metering.meter.limitIsFinal) {
          this.end('cut_off', this.lastConfirmed_ms());
          return;
        }
        if (this.disconnectedAt_ms === undefined) {
          // Late (a slow tick): reserve at once. Asterisk holds the leg for the grace meanwhile, and
          // talk past the covered time is never billed beyond it.
          reschedule = false;
          this.tickNow();
          return;
        }
        // Deaf at the covered limit: Asterisk ends the leg; the probes or the reconnect tell us.
      } else {
        await this.followLimitInAsterisk(now_s);
        if (this.ended) return;
      }
      const known = await this.projectedEnd_s(moved ? metering.availableAfterLastMove : undefined);
      projected = known ?? metering.limit_s;
      if (known !== undefined && !this.warned && projected > o.warnBefore_s && projected - now_s <= o.warnBefore_s + TOLERANCE_S) {
        this.warned = true;
        this.p.log.info('one minute warning', { left_s: Math.round(projected - now_s) });
        void this.p.playWarning().catch(() => undefined);
      }
    } catch (err) {
      this.p.log.error('metering tick failed', { error: err instanceof Error ? err.message : String(err) });
      billingFailed = true;
    } finally {
      // Whatever failed, metering goes on: the next tick is always armed while the call lasts.
      if (reschedule && !this.ended) this.schedule(now_s, projected, !billingFailed);
    }
  }

  /** Socket down: is the leg still there? A leg found gone ends the call at the last moment it was confirmed up. */
  private async probeLeg(): Promise<void> {
    const limit = this.limit_s;
    const left = Math.max(MIN_TIMEOUT_S, limit - this.elapsed_s() + this.ctx.options.absoluteTimeoutGrace_s);
    const probedAt = this.now();
    try {
      // Re-setting TIMEOUT(absolute) to the same deadline doubles as the probe.
      const r = await this.ctx.tel.setChannelVar(this.p.outChannelId, 'TIMEOUT(absolute)', left.toFixed(3));
      if (r === 'gone') this.legGone();
      else if (this.disconnectedAt_ms !== undefined) this.confirmedAt_ms = probedAt;
    } catch (err) {
      this.p.log.warn('could not probe the outbound leg', { error: err instanceof Error ? err.message : String(err) });
    }
  }

  /** A REST request found the outbound leg gone (its hang-up event unheard or not yet heard). */
  legGone(): void {
    if (this.ended) return;
    this.p.log.warn('outbound leg found gone', {});
    this.end(this.atLimit() ? 'cut_off' : 'far_end_hangup', this.lastConfirmed_ms());
  }

  /** TIMEOUT(absolute) counts from when it is set: covered time left + grace. */
  private lastTimeoutFor_s = -1;
  private async followLimitInAsterisk(now_s: number): Promise<void> {
    const limit = this.limit_s;
    if (limit === this.lastTimeoutFor_s) return;
    const left = limit - now_s + this.ctx.options.absoluteTimeoutGrace_s;
    try {
      const r = await this.ctx.tel.setChannelVar(this.p.outChannelId, 'TIMEOUT(absolute)', left.toFixed(3));
      if (r === 'ok') this.lastTimeoutFor_s = limit;
      else this.legGone();
    } catch (err) {
      this.p.log.warn('could not set TIMEOUT(absolute)', { error: err instanceof Error ? err.message : String(err) });
    }
  }

  /** The projected end the last tick computed (undefined: unknown). */
  private lastProjected_s?: number;

  /** The covered time plus what `available_minor` still buys after it. */
  private projectedFrom(available_minor: number): number {
    const { metering } = this.p;
    if (metering.meter.limitIsFinal) return metering.limit_s;
    const rate = metering.meter.rate;
    const spent = priceBilledSeconds(rate, metering.limit_s);
    return Math.max(metering.limit_s, maxAffordableSeconds(rate, spent + Math.max(0, available_minor)));
  }

  /**
   * The card's available balance changed (balance-watch.ts): a spend elsewhere (or a refund, or another call) moves
   * the projected end, so the warning and cut-off moments are re-computed at once. The call's own reservations leave
   * the projected end where it was (the limit grows by what the available balance shrinks), so they wake nothing.
   */
  private onAvailableChanged(available_minor: number): void {
    if (this.ended || !this.started || (this.warned && this.p.metering.meter.limitIsFinal)) return;
    if (this.lastProjected_s !== undefined && this.projectedFrom(available_minor) === this.lastProjected_s) return;
    this.tickNow();
  }

  /**
   * When the money runs out if nobody else spends: the covered time plus what the available balance
   * still buys (as this tick's money move left it, else read); undefined when the balance cannot be
   * read (then no warning is played on a guess).
   */
  private async projectedEnd_s(availableAfterMove: number | undefined): Promise<number | undefined> {
    const { metering } = this.p;
    if (metering.meter.limitIsFinal) {
      this.lastProjected_s = metering.limit_s;
      return metering.limit_s;
    }
    // This tick's money move told what the card has left (PostgreSQL): no read then.
    if (availableAfterMove !== undefined) {
      this.lastProjected_s = this.projectedFrom(availableAfterMove);
      return this.lastProjected_s;
    }
    try {
      const card = await cardById(this.ctx.billing.read().q, metering.card_id);
      if (!card) return metering.limit_s;
      this.lastProjected_s = this.projectedFrom(availableMinor(card));
      return this.lastProjected_s;
    } catch (err) {
      this.p.log.warn('could not read the balance: metering goes on with the covered time', { error: err instanceof Error ? err.message : String(err) });
      return undefined;
    }
  }

  /**
   * Arms the next wake-up. Wake-ups within TOLERANCE_S of now count as reached (CallMeter.dueForCapture agrees);
   * work still due at `now_s` (a chunk that ended while this tick ran, a reservation) runs at once rather than being
   * dropped, except a capture right after billing failed (no busy loop on a failing database).
   */
  private schedule(now_s: number, projected_s: number, retryCapture: boolean): void {
    const { metering } = this.p;
    const o = this.ctx.options;
    const ahead = Math.min(o.reserveAhead_s, o.chunk_s / 2);
    const wakes = [metering.limit_s];
    if (!metering.meter.limitIsFinal) wakes.push(metering.limit_s - ahead);
    const nextCapture = metering.meter.chunks.find((c) => c.state === 'pending')?.to_s;
    if (nextCapture !== undefined) wakes.push(nextCapture);
    if (!this.warned) wakes.push(projected_s - o.warnBefore_s);
    if (this.disconnectedAt_ms !== undefined) wakes.push(now_s + PROBE_S);
    // A reservation already due (e.g. the socket just came back) runs at once.
    const reserveDue = !metering.meter.limitIsFinal && this.disconnectedAt_ms === undefined && now_s >= metering.limit_s - ahead - TOLERANCE_S;
    // A chunk that ended while this tick ran (after it read the time for its capture) is captured at once; while
    // the socket is down only time confirmed before it went can be captured (no busy loop on a later chunk).
    const horizon_s = this.disconnectedAt_ms === undefined ? now_s : Math.min(now_s, this.elapsed_s(this.disconnectedAt_ms));
    const captureDue = retryCapture && nextCapture !== undefined && nextCapture <= horizon_s + TOLERANCE_S;
    const next = reserveDue || captureDue ? now_s : Math.min(...wakes.filter((w) => w > now_s + TOLERANCE_S));
    const delay_ms = Number.isFinite(next) ? (next - now_s) * 1000 : 1000;
    this.cancelTimer?.();
    this.cancelTimer = o.clock.after(Math.max(1, delay_ms), () => {
      this.cancelTimer = undefined;
      void this.enqueue(() => this.tick());
    });
  }

  private end(reason: TalkEnd, at_ms?: number): void {
    if (this.ended) return;
    this.ended = true;
    const endedAt_ms = at_ms ?? this.now();
    this.cancelTimer?.();
    for (const u of this.unsubscribes) u();
    void this.enqueue(() => this.settle(reason, endedAt_ms)).then(this.resolveResult, (err: unknown) => {
      this.p.log.error('call settlement failed: left to reconcile', { error: err instanceof Error ? err.message : String(err) });
      this.resolveResult({ end: 'failed', duration_s: 0, billed_s: 0, cost_minor: 0 });
    });
  }

  private async settle(reason: TalkEnd, endedAt_ms: number): Promise<TalkResult> {
    const { tel } = this.ctx;
    const p = this.p;
    if (reason !== 'far_end_hangup') await tel.hangup(p.outChannelId).catch(() => undefined);
    // CallMeter.settle never bills less than the chunks already captured.
    const duration_s = Math.min(this.elapsed_s(endedAt_ms), p.metering.limit_s);
    const bill = await p.metering.finish(duration_s, {
      hangup_cause: reason, answered_at_ms: p.answeredAt_ms, ended_at_ms: Math.round(endedAt_ms), status: 'completed',
    });
    const outcome: CallOutcome = reason === 'cut_off' ? 'cut_off' : reason === 'failed' ? 'failed' : 'completed';
    this.ctx.metrics.callEnded(outcome, bill.billed_s);
    p.log.info('call ended', { end: reason, duration_s: Math.round(duration_s * 1000) / 1000, billed_s: bill.billed_s, cost_minor: bill.cost_minor });
    return { end: reason, duration_s, billed_s: bill.billed_s, cost_minor: bill.cost_minor };
  }
}
