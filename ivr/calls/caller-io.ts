import type { Logger } from '../../billing/shared/logger';
import type { PlaybackHandle, Telephony, Unsubscribe } from '../ari/telephony';
import type { BridgeExit } from './bridge-exit';
import { CallerBridges } from './bridge-exit';
import type { PlaybackBounds } from './prompt-playback';
import { playbackEnd, playStarted } from './prompt-playback';

/** Thrown out of any step when the caller's channel has gone; the session then ends. */
export class CallerGone extends Error {
  constructor() {
    super('caller hung up');
    this.name = 'CallerGone';
  }
}

export interface ReadOptions {
  max: number;
  /** Keys that end the entry (each character one key, e.g. '#*'); not part of the digits. */
  terminators?: string;
  firstDigitTimeout_ms: number;
  interDigitTimeout_ms: number;
}

export interface ReadResult {
  outcome: 'terminator' | 'max' | 'timeout';
  digits: string;
  /** The key that ended the entry, for outcome 'terminator'. */
  terminator?: string;
}

const MAX_BUFFERED_DIGITS = 64;

export interface CallerIoOptions extends PlaybackBounds {
  /** After destroying a bridge the caller is in, prompts wait this long at most for its ChannelLeftBridge. */
  bridgeExitTimeout_ms: number;
}

/**
 * The caller's side of a session: prompts and keypad. Digits are buffered from the moment the
 * session starts, so a caller who types ahead (or types over a prompt) loses nothing; the first
 * digit stops the prompt that is playing. Digits collected are secrets (card numbers, PINs): they
 * are never logged here. Every wait for a prompt is bounded (prompt-playback.ts), a new prompt
 * stops one still playing (the one-minute warning when the call ends), and prompts after a call
 * wait for the caller to have left its bridge (bridge-exit.ts).
 */
export class CallerIo {
  private readonly buffer: string[] = [];
  private waiter: { onDigit(): void; onGone(): void } | undefined;
  private goneFlag = false;
  private readonly unsubscribe: Unsubscribe;
  private readonly bridges: CallerBridges;
  /** The last prompt started, stopped when the next one starts. */
  private current?: PlaybackHandle;
  /** Resolves when the caller's channel has gone. */
  readonly gone: Promise<void>;
  private markGone: () => void = () => {};

  constructor(private readonly tel: Telephony, readonly channelId: string, private readonly o: CallerIoOptions, private readonly log: Logger) {
    this.gone = new Promise((resolve) => { this.markGone = resolve; });
    this.bridges = new CallerBridges(tel, channelId, o.clock, o.bridgeExitTimeout_ms, log);
    this.unsubscribe = tel.onChannel(channelId, (e) => {
      this.bridges.onEvent(e);
      if (e.type === 'ChannelDtmfReceived' && e.channel.id === channelId) {
        if (this.buffer.length < MAX_BUFFERED_DIGITS) this.buffer.push(e.digit);
        this.waiter?.onDigit();
      } else if ((e.type === 'ChannelHangupRequest' || e.type === 'StasisEnd' || e.type === 'ChannelDestroyed') && e.channel.id === channelId) {
        this.setGone();
      }
    });
  }

  get isGone(): boolean {
    return this.goneFlag;
  }

  /** The channel is known to be gone (e.g. absent from a snapshot after a reconnect). */
  setGone(): void {
    if (this.goneFlag) return;
    this.goneFlag = true;
    this.markGone();
    this.bridges.gone();
    this.waiter?.onGone();
  }

  /** The caller is in this bridge though no event said so (a call taken up after a restart). */
  noteInBridge(bridgeId: string): void {
    this.bridges.noteMember(bridgeId);
  }

  /** Destroys the bridge and waits (bounded) until the caller has left it, so the next prompt is not lost. */
  leaveBridge(bridgeId: string): Promise<BridgeExit> {
    return this.bridges.destroyAndLeave(bridgeId, () => this.goneFlag);
  }

  dispose(): void {
    this.unsubscribe();
  }

  flush(): void {
    this.buffer.length = 0;
  }

  private check(): void {
    if (this.goneFlag) throw new CallerGone();
  }

  /** Starts a prompt (stopping the one before if it still plays); undefined when it never started (moving on). */
  private async start(media: readonly string[]): Promise<PlaybackHandle | undefined> {
    this.check();
    const previous = this.current;
    this.current = undefined;
    await previous?.cancel();
    const handle = await playStarted(this.tel, this.channelId, media, this.o, this.log, () => this.goneFlag);
    if (handle === 'gone') throw new CallerGone();
    this.current = handle;
    return handle;
  }

  /** Plays media to the end (bounded: a prompt that never starts is tried twice, then skipped). */
  async say(media: readonly string[]): Promise<void> {
    if (media.length === 0) return;
    const handle = await this.start(media);
    if (!handle) return;
    const end = await Promise.race([playbackEnd(handle, this.o, this.log), this.gone.then(() => 'gone' as const)]);
    if (end === 'gone') throw new CallerGone();
  }

  /** Plays media (interrupted by the first digit) and collects digits. */
  async read(media: readonly string[], opts: ReadOptions): Promise<ReadResult> {
    const handle = media.length > 0 ? await this.start(media) : undefined;
    this.check();
    return new Promise<ReadResult>((resolve, reject) => {
      let digits = '';
      let promptPlaying = handle !== undefined;
      let cancelTimer: (() => void) | undefined;
      let settled = false;
      const cleanup = (): void => {
        settled = true;
        cancelTimer?.();
        this.waiter = undefined;
      };
      const finish = (outcome: ReadResult['outcome'], terminator?: string): void => {
        if (settled) return;
        cleanup();
        if (promptPlaying) void handle?.cancel();
        resolve(terminator === undefined ? { outcome, digits } : { outcome, digits, terminator });
      };
      const arm = (ms: number): void => {
        cancelTimer?.();
        cancelTimer = this.o.clock.after(ms, () => finish('timeout'));
      };
      const take = (): void => {
        while (!settled && this.buffer.length > 0) {
          const d = this.buffer.shift() as string;
          if (promptPlaying) {
            promptPlaying = false;
            void handle?.cancel();
          }
          if (opts.terminators?.includes(d)) return finish('terminator', d);
          digits += d;
          if (digits.length >= opts.max) return finish('max');
        }
        if (!settled && digits.length > 0) arm(opts.interDigitTimeout_ms);
      };
      this.waiter = {
        onDigit: take,
        onGone: () => {
          if (settled) return;
          cleanup();
          reject(new CallerGone());
        },
      };
      if (handle) {
        void playbackEnd(handle, this.o, this.log).then((end) => {
          if (settled) return;
          if (end === 'gone') {
            this.setGone();
            return;
          }
          if (promptPlaying) {
            promptPlaying = false;
            arm(opts.firstDigitTimeout_ms);
          }
        });
      } else {
        arm(opts.firstDigitTimeout_ms);
      }
      take();
    });
  }
}
