import { randomBytes } from 'node:crypto';
import type { SimCall } from '../../ivr/sim/inbound-call';
import type { PhoneEvent } from './phone-events';
import { causeReason } from './phone-events';

/** Keypad digits one call may have queued for playing as DTMF. */
const MAX_QUEUED_DIGITS = 64;
import { promptDuration_ms, promptOfMediaUri, promptTranscript, promptUrl } from './prompt-media';

/** Bounds: events kept for (re)connecting browsers, listeners per call, digits per request. */
export const MAX_EVENTS_PER_CALL = 2_000;
export const MAX_LISTENERS_PER_CALL = 4;

export type PhoneCallState = 'ringing' | 'answered' | 'ended';
export type LegState = 'none' | 'dialling' | 'ringing' | 'connected' | 'ended';

interface PlayingItem { key: string; started_ms: number; duration_ms: number | null; dtmfSince: boolean }

/**
 * One browser's call into the simulated access number: the sim caller, what happened so far (replayed to a
 * browser that connects late) and the listeners. Its id is an unguessable token, the browser's only handle.
 */
export class PhoneCall {
  readonly id = randomBytes(18).toString('base64url');
  readonly created_ms = Date.now();
  state: PhoneCallState = 'ringing';
  legState: LegState = 'none';
  legChannelId: string | undefined;
  bridgeIds = new Set<string>();
  ended_ms: number | undefined;
  private readonly events: Array<{ seq: number; event: PhoneEvent }> = [];
  private seq = 0;
  private readonly listeners = new Set<(seq: number, e: PhoneEvent) => void>();
  private readonly playing = new Map<string, PlayingItem>();
  private itemCount = 0;
  private dtmfChain: Promise<void> = Promise.resolve();
  private queuedDigits = 0;
  private lastMeter = '';

  constructor(readonly sim: SimCall, readonly callerNumber: string, readonly accessNumber: string) {
    this.push({ type: 'call', state: 'ringing', access_number: accessNumber, caller_number: callerNumber });
  }

  get channelId(): string {
    return this.sim.channelId;
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  /** Appends an event and tells every listener. */
  push(event: PhoneEvent): void {
    this.seq += 1;
    this.events.push({ seq: this.seq, event });
    if (this.events.length > MAX_EVENTS_PER_CALL) this.events.shift();
    for (const l of this.listeners) l(this.seq, event);
  }

  /** Replays what happened after `afterSeq`, then follows; returns the unsubscribe. Undefined when too many listen. */
  listen(afterSeq: number, fn: (seq: number, e: PhoneEvent) => void): (() => void) | undefined {
    if (this.listeners.size >= MAX_LISTENERS_PER_CALL) return undefined;
    for (const { seq, event } of this.events) if (seq > afterSeq) fn(seq, event);
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  onAnswered(): void {
    if (this.state !== 'ringing') return;
    this.state = 'answered';
    this.push({ type: 'call', state: 'answered', access_number: this.accessNumber, caller_number: this.callerNumber });
  }

  onPlaybackStarted(playbackId: string, mediaUri: string): void {
    this.itemCount += 1;
    const key = `${playbackId}#${this.itemCount}`;
    const p = promptOfMediaUri(mediaUri);
    const duration_ms = p ? promptDuration_ms(p) : null;
    this.playing.set(playbackId, { key, started_ms: Date.now(), duration_ms, dtmfSince: false });
    this.push(p
      ? { type: 'prompt', key, lang: p.lang, id: p.id, text: promptTranscript(p), url: promptUrl(p), duration_ms }
      : { type: 'prompt', key, lang: null, id: null, text: `(${mediaUri.replace(/^[a-z]+:/, '')})`, url: null, duration_ms: null });
  }

  /**
   * A playback finished. When a digit came in while it played and it ended well before its audio would, the IVR
   * stopped it (barge-in): the browser stops it too. Otherwise the browser lets it play out, so a simulator that
   * runs prompts faster than real time never swallows audio.
   */
  onPlaybackFinished(playbackId: string): void {
    const item = this.playing.get(playbackId);
    if (!item) return;
    this.playing.delete(playbackId);
    const early = item.duration_ms !== null && Date.now() - item.started_ms < item.duration_ms - 250;
    if (item.dtmfSince && early) this.push({ type: 'prompt-cut', key: item.key });
  }

  onDtmf(digit: string): void {
    for (const item of this.playing.values()) item.dtmfSince = true;
    this.push({ type: 'dtmf', digit });
  }

  setLeg(state: Exclude<LegState, 'none'>, outcome?: string): void {
    if (this.legState === state || this.legState === 'ended') return;
    this.legState = state;
    this.push(outcome === undefined ? { type: 'leg', state } : { type: 'leg', state, outcome });
  }

  /** A new outbound leg (the caller may place another call after the first). */
  attachLeg(channelId: string): void {
    this.legChannelId = channelId;
    this.legState = 'none';
    this.setLeg('dialling');
  }

  onLegDestroyed(cause: number): void {
    if (this.legState === 'none' || this.legState === 'ended') return;
    this.setLeg('ended', causeReason(cause));
  }

  /** Only pushes a meter event when something a person would see changed. */
  meter(e: Extract<PhoneEvent, { type: 'meter' }>): void {
    const sig = JSON.stringify(e);
    if (sig === this.lastMeter) return;
    this.lastMeter = sig;
    this.push(e);
  }

  onEnded(by: 'caller' | 'app' | 'timeout', cause: number): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    this.ended_ms = Date.now();
    if (this.legState !== 'none' && this.legState !== 'ended') this.setLeg('ended', causeReason(cause));
    this.push({ type: 'ended', by, cause, reason: by === 'caller' ? 'you hung up' : by === 'timeout' ? 'the time ran out' : 'the service hung up' });
  }

  /** Keypad digits, in order even when the browser sends them faster than DTMF plays. */
  /** False (nothing queued) when the call already has MAX_QUEUED_DIGITS waiting: the queue is bounded. */
  sendDigits(digits: string): boolean {
    if (this.queuedDigits + digits.length > MAX_QUEUED_DIGITS) return false;
    this.queuedDigits += digits.length;
    this.dtmfChain = this.dtmfChain
      .then(() => (this.sim.hasEnded ? undefined : this.sim.sendDtmf(digits, { duration_ms: 80, gap_ms: 60 })))
      .catch(() => undefined) // a call that ended meanwhile: the digits have nowhere to go
      .finally(() => { this.queuedDigits -= digits.length; });
    return true;
  }

  hangup(): void {
    this.sim.hangup();
  }
}
