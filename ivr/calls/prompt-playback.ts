import type { Logger } from '../../billing/shared/logger';
import type { PlaybackEnd, PlaybackHandle, Telephony } from '../ari/telephony';
import type { CallClock } from './call-clock';

export interface PlaybackBounds {
  clock: CallClock;
  /** A playback not started this long after its 201 is stopped and played once more, then given up. */
  playbackStartTimeout_ms: number;
  /** Longest a playback may last before it is stopped. */
  promptMax_ms: number;
}

/** Resolves true when `p` settles within `ms` of call time, false otherwise. */
function within(clock: CallClock, p: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const cancel = clock.after(ms, () => resolve(false));
    void p.then(() => {
      cancel();
      resolve(true);
    });
  });
}

/**
 * Not started in time: is it lost, or only late? A playback Asterisk still has (queued behind another, or whose
 * events are slow to arrive on a loaded machine) gets one more wait; a playback Asterisk no longer knows (GET 404, as
 * recorded for the lost play) has been dropped. A failed check counts as lost (the bound stays a bound).
 */
async function startedLate(tel: Telephony, handle: PlaybackHandle, b: PlaybackBounds, log: Logger): Promise<boolean> {
  let exists = false;
  try {
    exists = await tel.playbackExists(handle.playbackId);
  } catch (err) {
    log.warn('could not look the playback up', { playback_id: handle.playbackId, error: err instanceof Error ? err.message : String(err) });
  }
  if (handle.hasStarted) return true;
  return exists && within(b.clock, handle.started, b.playbackStartTimeout_ms);
}

/**
 * Plays `media` and waits (bounded) for it to start. Asterisk 22 can answer a play 201 "queued" and never start it
 * (a play sent right after `DELETE /bridges`, play-right-after-bridge-destroy.jsonl): such a playback is stopped
 * (its DELETE answers 404, which is fine) and played again, once; if the second does not start either, undefined is
 * returned and the caller of this moves on. `isGone` is checked before each try.
 */
export async function playStarted(
  tel: Telephony, channelId: string, media: readonly string[], b: PlaybackBounds, log: Logger, isGone: () => boolean,
): Promise<PlaybackHandle | 'gone' | undefined> {
  for (let attempt = 1; attempt <= 2; attempt++) {
    if (isGone()) return 'gone';
    const handle = await tel.play(channelId, media);
    if (await within(b.clock, handle.started, b.playbackStartTimeout_ms)) return handle;
    if (await startedLate(tel, handle, b, log)) return handle;
    await handle.cancel();
    log.warn(attempt === 1 ? 'playback did not start: playing it again' : 'playback did not start again: moving on', {
      playback_id: handle.playbackId, media_count: media.length, waited_ms: b.playbackStartTimeout_ms,
    });
  }
  return undefined;
}

/** The playback's end, or 'too_long' (the playback then stopped) after `promptMax_ms`. */
export async function playbackEnd(handle: PlaybackHandle, b: PlaybackBounds, log: Logger): Promise<PlaybackEnd | 'too_long'> {
  let cancel: () => void = () => {};
  const tooLong = new Promise<'too_long'>((resolve) => {
    cancel = b.clock.after(b.promptMax_ms, () => resolve('too_long'));
  });
  const end = await Promise.race([handle.done, tooLong]);
  cancel();
  if (end === 'too_long') {
    log.warn('playback did not finish in time: stopped', { playback_id: handle.playbackId, waited_ms: b.promptMax_ms });
    await handle.cancel();
  }
  return end;
}
