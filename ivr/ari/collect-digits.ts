import type { PlaybackHandle, Telephony } from './telephony';

export interface CollectDigitsOptions {
  /** Stop after this many digits (terminator not counted). */
  max: number;
  /** Ends the entry early; not included in the digits. */
  terminator?: string;
  /** Time allowed for the first digit, counted from the end of `interruptPlayback` (or from now). */
  firstDigitTimeout_ms: number;
  interDigitTimeout_ms: number;
  /** A prompt playing while digits are collected: the first digit stops it (type-ahead). */
  interruptPlayback?: PlaybackHandle;
}

export type CollectDigitsResult =
  | { outcome: 'terminator' | 'max'; digits: string }
  /** No (further) digit in time; `digits` holds what was entered before. */
  | { outcome: 'timeout'; digits: string }
  /** The channel hung up or left the app. */
  | { outcome: 'hangup'; digits: string };

/** Collects DTMF digits from one channel through the Telephony events. Never rejects. */
export function collectDigits(telephony: Telephony, channelId: string, opts: CollectDigitsOptions): Promise<CollectDigitsResult> {
  if (!(opts.max >= 1)) throw new RangeError('max must be >= 1');
  return new Promise((resolve) => {
    let digits = '';
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    let waitingForPrompt = opts.interruptPlayback !== undefined;
    const finish = (result: CollectDigitsResult): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      unsubscribe();
      resolve(result);
    };
    const arm = (ms: number): void => {
      clearTimeout(timer);
      timer = setTimeout(() => finish({ outcome: 'timeout', digits }), ms);
    };
    const unsubscribe = telephony.onChannel(channelId, (e) => {
      if (e.type === 'ChannelDtmfReceived' && e.channel.id === channelId) {
        if (waitingForPrompt) {
          waitingForPrompt = false;
          void opts.interruptPlayback?.cancel();
        }
        if (opts.terminator !== undefined && e.digit === opts.terminator) {
          finish({ outcome: 'terminator', digits });
          return;
        }
        digits += e.digit;
        if (digits.length >= opts.max) finish({ outcome: 'max', digits });
        else arm(opts.interDigitTimeout_ms);
      } else if ((e.type === 'ChannelHangupRequest' || e.type === 'StasisEnd' || e.type === 'ChannelDestroyed') && e.channel.id === channelId) {
        finish({ outcome: 'hangup', digits });
      }
    });
    if (opts.interruptPlayback) {
      void opts.interruptPlayback.done.then((end) => {
        if (done) return;
        if (end === 'gone') finish({ outcome: 'hangup', digits });
        else if (waitingForPrompt) {
          waitingForPrompt = false;
          arm(opts.firstDigitTimeout_ms);
        }
      });
    } else {
      arm(opts.firstDigitTimeout_ms);
    }
  });
}
