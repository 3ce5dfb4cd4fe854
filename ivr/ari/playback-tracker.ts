import type { Logger } from '../../billing/shared/logger';
import type { PlaybackEnd, PlaybackHandle, TelephonyEvent } from './telephony';

interface Tracked {
  channelId: string;
  cancelled: boolean;
  settled: boolean;
  started: boolean;
  markStarted: () => void;
  resolve: (end: PlaybackEnd) => void;
  graceTimer?: NodeJS.Timeout;
}

/**
 * Turns playback events into each handle's `done`. A playback Asterisk reports "failed" is 'gone' when its
 * channel is hanging up (the usual reason) and otherwise, after a short grace for the hang-up event that may
 * follow it (TIMEOUT(absolute) sends PlaybackFinished before StasisEnd), 'finished' with a warning (missing media).
 */
export class PlaybackTracker {
  private readonly tracked = new Map<string, Tracked>();
  private readonly hangingUp = new Set<string>();

  constructor(private readonly failedGrace_ms: number, private readonly log: Logger) {}

  track(playbackId: string, channelId: string, stop: () => Promise<void>): PlaybackHandle {
    let resolve: (end: PlaybackEnd) => void = () => {};
    const done = new Promise<PlaybackEnd>((r) => {
      resolve = r;
    });
    let markStarted: () => void = () => {};
    const started = new Promise<void>((r) => {
      markStarted = r;
    });
    const t: Tracked = { channelId, cancelled: false, settled: false, started: false, markStarted, resolve };
    this.tracked.set(playbackId, t);
    return {
      playbackId,
      channelId,
      started,
      get hasStarted() {
        return t.started;
      },
      done,
      cancel: async () => {
        if (t.settled) return;
        t.cancelled = true;
        await stop();
        this.end(playbackId, 'stopped');
      },
    };
  }

  end(playbackId: string, end: PlaybackEnd): void {
    const t = this.tracked.get(playbackId);
    if (!t || t.settled) return;
    t.settled = true;
    clearTimeout(t.graceTimer);
    this.tracked.delete(playbackId);
    t.markStarted();
    t.resolve(t.cancelled && end !== 'gone' ? 'stopped' : end);
  }

  forget(playbackId: string): void {
    const t = this.tracked.get(playbackId);
    if (t) clearTimeout(t.graceTimer);
    this.tracked.delete(playbackId);
    t?.markStarted();
  }

  /** After a reconnect: playbacks on channels that no longer exist are gone. */
  channelsGoneExcept(present: ReadonlySet<string>): void {
    for (const [id, t] of this.tracked) if (!present.has(t.channelId)) this.end(id, 'gone');
  }

  onEvent(e: TelephonyEvent): void {
    if (e.type === 'ChannelHangupRequest' || e.type === 'StasisEnd' || e.type === 'ChannelDestroyed') {
      this.hangingUp.add(e.channel.id);
      if (e.type === 'ChannelDestroyed' || e.type === 'StasisEnd') {
        for (const [id, t] of this.tracked) if (t.channelId === e.channel.id) this.end(id, 'gone');
      }
      if (e.type !== 'ChannelHangupRequest') this.hangingUp.delete(e.channel.id);
      return;
    }
    if (e.type === 'PlaybackStarted') {
      const started = this.tracked.get(e.playback.id);
      if (started) {
        started.started = true;
        started.markStarted();
      }
      return;
    }
    if (e.type !== 'PlaybackFinished') return;
    const t = this.tracked.get(e.playback.id);
    if (!t) return;
    if (e.playback.state !== 'failed') {
      this.end(e.playback.id, 'finished');
      return;
    }
    if (this.hangingUp.has(t.channelId)) {
      this.end(e.playback.id, 'gone');
      return;
    }
    t.graceTimer = setTimeout(() => {
      this.log.warn('playback failed (missing media?)', { playbackId: e.playback.id, mediaUri: e.playback.mediaUri });
      this.end(e.playback.id, 'finished');
    }, this.failedGrace_ms);
  }
}
