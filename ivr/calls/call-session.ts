import { releaseCardCall } from '../../billing/calls/card-calls';
import type { RatedDestination } from '../../billing/rating/rate-store';
import type { Logger } from '../../billing/shared/logger';
import type { PromptId } from '../prompts/catalogue';
import type { Language } from '../prompts/languages';
import { promptMediaUris } from '../sayer/media-uri';
import { isSpokenCurrency } from '../sayer/nouns';
import { sayMoney, sayNumber } from '../sayer/sayer';
import type { CallState } from './call-state';
import { assertMove } from './call-state';
import { CallerGone, CallerIo } from './caller-io';
import type { ReadOptions, ReadResult } from './caller-io';
import type { IvrContext } from './ivr-context';
import type { MeteredCall } from './metered-call';
import { normaliseCaller } from './phone-numbers';
import type { ReconcileJob } from './reconcile-job';

export interface LoggedInCard {
  id: number;
  currency: string;
  /**
   * What the card had available when the login read it: the balance announced right after the
   * login, without reading the card again (hearBalance uses it once; later announcements read).
   */
  availableAtLogin?: number;
}

export interface ChosenDestination {
  /** E.164 digits without '+'. */
  digits: string;
  rate: RatedDestination;
}

/** How the last outbound call went, for the after-call step. */
export type LastCall =
  | { kind: 'not_connected'; status: 'BUSY' | 'NOANSWER' | 'CONGESTION' | 'FAILED' | 'UNAVAILABLE' }
  | { kind: 'billed'; cost_minor: number; cut_off: boolean };

export interface InboundChannel {
  id: string;
  /** As presented (may be empty when withheld). */
  callerNumber: string;
  accessNumber: string;
}

/**
 * The work of each state (ivr/calls/steps/steps.ts `STEPS`, handed in by IvrApp, so that this file
 * and the steps, which take a session, do not import each other): it returns the next state.
 */
export type StepTable = Readonly<Record<Exclude<CallState, 'ended'>, (s: CallSession) => Promise<CallState>>>;

/**
 * One inbound call: its state (one value, moved along the transition table), the caller's keypad
 * and prompts, and what the steps learnt (language, card, destination, the leg being metered).
 * `run()` drives the steps until the call has ended.
 */
export class CallSession {
  private current: CallState;
  lang: Language;
  card?: LoggedInCard;
  destination?: ChosenDestination;
  talk?: MeteredCall;
  lastCall?: LastCall;
  reconcile?: ReconcileJob;
  /** The call record of the outbound call in progress, if any. */
  callId?: string;
  /** The card place this session holds (billing/calls/card-calls.ts), freed when the session ends. */
  cardCallId?: string;
  readonly io: CallerIo;
  readonly log: Logger;
  /** The caller's number as E.164 when known (PIN-less login, throttling). */
  readonly caller?: string;
  private detached = false;

  constructor(readonly ctx: IvrContext, readonly channel: InboundChannel, private readonly steps: StepTable, initial: CallState = 'answering', lang?: Language) {
    this.current = initial;
    this.lang = lang ?? (ctx.options.languages[0] as Language);
    this.log = ctx.log.child({ channel_id: channel.id, session: 'call' });
    this.io = new CallerIo(ctx.tel, channel.id, ctx.options, this.log);
    this.caller = normaliseCaller(channel.callerNumber, ctx.options.defaultCountry);
  }

  get state(): CallState {
    return this.current;
  }

  get isDetached(): boolean {
    return this.detached;
  }

  move(to: CallState): void {
    assertMove(this.current, to);
    this.log.debug('call state', { from: this.current, to });
    this.current = to;
  }

  /** Media URIs of prompts in the session's language. */
  media(...ids: PromptId[]): string[] {
    return promptMediaUris(this.lang, ids);
  }

  /** An amount as prompt ids (the digits of the major unit when the currency has no spoken names). */
  money(amount_minor: number, currency: string): PromptId[] {
    if (isSpokenCurrency(currency)) return sayMoney(this.lang, { amount_minor, currency });
    return sayNumber(this.lang, amount_minor);
  }

  say(...ids: PromptId[]): Promise<void> {
    return this.io.say(this.media(...ids));
  }

  sayIds(ids: readonly PromptId[]): Promise<void> {
    return this.io.say(promptMediaUris(this.lang, ids));
  }

  read(ids: readonly PromptId[], opts: Partial<ReadOptions> & { max: number }): Promise<ReadResult> {
    const o = this.ctx.options;
    return this.io.read(promptMediaUris(this.lang, ids), {
      firstDigitTimeout_ms: o.firstDigitTimeout_ms,
      interDigitTimeout_ms: o.interDigitTimeout_ms,
      ...opts,
    });
  }

  /** Runs steps until the call has ended. Never rejects. */
  async run(): Promise<void> {
    const { metrics } = this.ctx;
    metrics.sessionStarted();
    this.log.info('call session started', { state: this.current });
    try {
      while (this.current !== 'ended' && !this.detached) {
        let next: CallState;
        try {
          next = await this.steps[this.current](this);
        } catch (err) {
          if (this.detached) break;
          next = err instanceof CallerGone ? 'ended' : await this.technicalProblem(err);
        }
        if (this.detached) break;
        try {
          this.move(next);
        } catch (err) {
          // A step asked for an illegal transition (a bug): treat it as a technical problem, never crash the process.
          await this.technicalProblem(err);
          this.current = 'ended';
        }
      }
    } finally {
      this.io.dispose();
      metrics.sessionEnded();
      if (!this.detached) {
        if (!this.io.isGone) await this.ctx.tel.hangup(this.channel.id).catch(() => undefined);
        if (this.cardCallId) {
          // Left behind on failure, the place still frees itself: only live sessions' places are renewed.
          await releaseCardCall(this.ctx.billing.db, this.cardCallId).catch((err: unknown) => this.log.error('could not free the card place', { error: err instanceof Error ? err.message : String(err) }));
        }
        this.log.info('call session ended');
      }
    }
  }

  /** Stops driving the call without touching it or its money (process shutdown): the next start reconciles it. */
  detach(): void {
    this.detached = true;
    this.talk?.detach();
    this.io.setGone();
  }

  private async technicalProblem(err: unknown): Promise<CallState> {
    this.log.error('call step failed', { state: this.current, error: err instanceof Error ? err.message : String(err) });
    if (this.talk) {
      // Never leave a metered leg unbilled: end it, bill it, then apologise.
      await this.talk.hangUp('failed');
      await this.talk.result;
    }
    await this.say('technical_problem').catch(() => undefined);
    return 'ended';
  }
}
