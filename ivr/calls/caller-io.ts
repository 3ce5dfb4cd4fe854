import type { PlaybackHandle, Telephony, Unsubscribe } from '../ari/telephony';
import type { CallClock } from './call-clock';

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

/**
 * The caller's side of a session: prompts and keypad. Digits are buffered from the moment the
 * session starts, so a caller who types ahead (or types over a prompt) loses nothing; the first
 * digit stops the prompt that is playing. Digits collected are secrets (card numbers, PINs): they
 * are never logged here.
 */
export class CallerIo {
  private readonly buffer: string[] = [];
  private waiter: { onDigit(): void; onGone(): void } | undefined;
  private goneFlag = false;
  private readonly unsubscribe: Unsubscribe;
  /** Resolves when the caller's channel has gone. */
  readonly gone: Promise<void>;
  private markGone: () => void = () => {};

  constructor(private readonly tel: Telephony, readonly channelId: string, private readonly clock: CallClock) {
    this.gone = new Promise((resolve) => { this.markGone = resolve; });
    this.unsubscribe = tel.onChannel(channelId, (e) => {
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
    this.waiter?.onGone();
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

  private async start(media: readonly string[]): Promise<PlaybackHandle> {
    this.check();
    const handle = await this.tel.play(this.channelId, media);
    return handle;
  }

  /** Plays media to the end. */
  async say(media: readonly string[]): Promise<void> {
    if (media.length === 0) return;
    const handle = await this.start(media);
    const end = await Promise.race([handle.done, this.gone.then(() => 'gone' as const)]);
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
        cancelTimer = this.clock.after(ms, () => finish('timeout'));
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
        void handle.done.then((end) => {
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
