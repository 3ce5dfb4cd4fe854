import type { CountryCode } from 'libphonenumber-js';
import { DEFAULT_DECK } from '../../billing/rating/rate-store';
import type { Language } from '../prompts/languages';
import type { CallClock } from './call-clock';
import { systemCallClock } from './call-clock';

/** How the IVR behaves. Every duration is in call time (see call-clock.ts). */
export interface IvrOptions {
  /** Languages offered, the first being the default; the choice is asked only when there are several. */
  languages: readonly Language[];
  /** e.g. `PJSIP/{number}@trunk`; `{number}` becomes the E.164 digits without '+'. */
  trunkEndpoint: string;
  /** Country assumed for a destination dialled without an international prefix (00 / 011). */
  defaultCountry: CountryCode;
  /** Caller id shown to the far end, if any. */
  outboundCallerId?: string;
  /** The rate deck calls are rated from (by name: its live version). */
  rateDeck: string;
  /** Ring timeout of the outbound leg. */
  ringTimeout_s: number;
  /** Length of a metering chunk after the first (which is connect fee + initial increment). */
  chunk_s: number;
  /** Reserve the next chunk this long before the covered time ends (kept below half a chunk). */
  reserveAhead_s: number;
  /** The warning prompt plays this long before the money runs out. */
  warnBefore_s: number;
  /**
   * How often the available balance of the cards of live calls is read (one query for all), so a spend elsewhere
   * moves a call's warning and cut-off moments within this much time.
   */
  balanceWatch_ms: number;
  /** Asterisk's TIMEOUT(absolute) on the outbound leg = covered time left + this grace (the app cuts first). */
  absoluteTimeoutGrace_s: number;
  /** Card number + PIN tries per call. */
  loginAttempts: number;
  firstDigitTimeout_ms: number;
  interDigitTimeout_ms: number;
  /** How long "press # for another call" waits. */
  anotherCallTimeout_ms: number;
  /**
   * A prompt whose playback has not started this long after its 201 is stopped and played once more; if that one
   * does not start either, the call moves on without it (Asterisk can accept a play and never start it).
   */
  playbackStartTimeout_ms: number;
  /** Longest a prompt may play before the call moves on (a bound on every wait for a playback). */
  promptMax_ms: number;
  /** After destroying a call's bridge, prompts wait this long at most for the caller's ChannelLeftBridge. */
  bridgeExitTimeout_ms: number;
  /**
   * Simultaneous calls per card, counted in the database across every IVR process; 0 = no limit.
   * A call holds its card's place from login to hang-up. The product's default is 1 (A2Billing's),
   * set by IVR_MAX_CALLS_PER_CARD in app/config; here the option is off unless given.
   */
  maxCallsPerCard: number;
  /**
   * How long a call's place outlives its IVR process (billing time): the process renews it every
   * third of this while the call runs, so the places of a process that died free themselves.
   */
  cardCallTtl_ms: number;
  /** Prefix of this IVR's call ids (up to 7 of [a-z0-9]): one per IVR process sharing a database. */
  nodeId: string;
  /** This node's lease lives this long unless renewed (every third of it); then live nodes take its calls over. */
  leaseTtl_ms: number;
  /**
   * Calls that ended unseen (the IVR was away) await Asterisk's CDR: billed at what was confirmed, the
   * chunks reserved beyond stay held until the CDR import bills the real talk time (billing/calls/cdr/).
   * On when this process imports a CDR file (CDR_FILE).
   */
  awaitCdr: boolean;
  clock: CallClock;
}

export const DEFAULT_IVR_OPTIONS: IvrOptions = Object.freeze({
  languages: ['en', 'es'] as const,
  trunkEndpoint: 'PJSIP/{number}@trunk',
  defaultCountry: 'US' as CountryCode,
  rateDeck: DEFAULT_DECK,
  ringTimeout_s: 45,
  chunk_s: 60,
  reserveAhead_s: 10,
  warnBefore_s: 60,
  balanceWatch_ms: 2000,
  absoluteTimeoutGrace_s: 2,
  loginAttempts: 3,
  firstDigitTimeout_ms: 6000,
  interDigitTimeout_ms: 4000,
  anotherCallTimeout_ms: 6000,
  playbackStartTimeout_ms: 2000,
  promptMax_ms: 120_000,
  bridgeExitTimeout_ms: 1000,
  maxCallsPerCard: 0,
  cardCallTtl_ms: 120_000,
  nodeId: 'ivr',
  leaseTtl_ms: 30_000,
  awaitCdr: false,
  clock: systemCallClock,
});

export function ivrOptions(partial: Partial<IvrOptions> = {}): IvrOptions {
  const o = { ...DEFAULT_IVR_OPTIONS, ...partial };
  if (o.languages.length === 0) throw new RangeError('ivr: at least one language');
  if (!o.trunkEndpoint.includes('{number}')) throw new RangeError('ivr: trunkEndpoint must contain {number}');
  if (o.rateDeck.trim() === '') throw new RangeError('ivr: rateDeck must name a deck');
  if (!/^[a-z0-9]{1,7}$/.test(o.nodeId)) throw new RangeError('ivr: nodeId must be 1 to 7 of [a-z0-9]');
  if (!(o.leaseTtl_ms >= 1000 && o.leaseTtl_ms <= 3_600_000)) throw new RangeError('ivr: leaseTtl_ms must be 1000 to 3600000');
  if (!Number.isInteger(o.maxCallsPerCard) || o.maxCallsPerCard < 0) throw new RangeError('ivr: maxCallsPerCard must be a whole number, 0 for no limit');
  if (!(o.cardCallTtl_ms >= 3000)) throw new RangeError('ivr: cardCallTtl_ms must be at least 3 s');
  if (!(o.chunk_s >= 1) || !(o.ringTimeout_s >= 1) || !(o.loginAttempts >= 1)) throw new RangeError('ivr: chunk, ring timeout and attempts must be positive');
  if (!(o.playbackStartTimeout_ms > 0) || !(o.promptMax_ms > 0) || !(o.bridgeExitTimeout_ms > 0)) throw new RangeError('ivr: playback and bridge-exit bounds must be positive');
  if (!(o.balanceWatch_ms >= 100)) throw new RangeError('ivr: balanceWatch_ms must be at least 100');
  return Object.freeze(o);
}
