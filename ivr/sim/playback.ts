import type { SimCore } from './core';
import type { SimChannel, SimPlayback } from './model';
import { playbackJson } from './model';

const KNOWN_SCHEMES = ['sound:', 'recording:', 'number:', 'digits:', 'characters:', 'tone:'];
/** Default skip of forward/reverse, as in Asterisk. */
const SKIP_MS = 3000;

function appsFor(core: SimCore, pb: SimPlayback): string[] {
  if (pb.channelId !== undefined) {
    const app = core.channels.get(pb.channelId)?.subscribedApp;
    return app === undefined ? [] : [app];
  }
  const bridge = pb.bridgeId === undefined ? undefined : core.bridges.get(pb.bridgeId);
  if (!bridge) return [];
  return [...new Set([...bridge.explicit, ...[...bridge.refs].filter(([, n]) => n > 0).map(([a]) => a)])];
}

function emit(core: SimCore, pb: SimPlayback, type: string, state?: string): void {
  const json = playbackJson(pb, state);
  for (const app of appsFor(core, pb)) core.bus.send(app, type, [['playback', json]]);
  core.observer.emit('playback', { type, playbackId: pb.id, channelId: pb.channelId, bridgeId: pb.bridgeId, mediaUri: json.media_uri, state: json.state });
}

function queueOf(core: SimCore, targetUri: string): SimPlayback[] {
  let q = core.playQueues.get(targetUri);
  if (!q) {
    q = [];
    core.playQueues.set(targetUri, q);
  }
  return q;
}

/** True while `ch` is still a member of a bridge DELETE has destroyed (its ChannelLeftBridge is still to come). */
function leavingDestroyedBridge(core: SimCore, ch: SimChannel | undefined): boolean {
  return ch?.bridgeId !== undefined && core.departing.has(ch.bridgeId);
}

/**
 * Queues a playback on its target; it starts right after the 201 when nothing else plays there. A play to a
 * channel still leaving a destroyed bridge races the teardown: it is lost (201 "queued", then nothing, ever; it is
 * not found afterwards) when `racingPlayLost` says so, else it starts once the channel has left.
 */
export function queuePlayback(core: SimCore, pb: SimPlayback): void {
  core.record({ kind: 'play', channelId: pb.channelId, bridgeId: pb.bridgeId, playbackId: pb.id, mediaUri: pb.media.join(',') });
  if (pb.channelId !== undefined && leavingDestroyedBridge(core, core.channels.get(pb.channelId))) {
    core.racingPlays += 1;
    if (core.opts.racingPlayLost(core.racingPlays)) {
      core.record({ kind: 'playback-lost', channelId: pb.channelId, playbackId: pb.id, mediaUri: pb.media.join(',') });
      return;
    }
    pb.held = true;
  }
  core.playbacks.set(pb.id, pb);
  const q = queueOf(core, pb.targetUri);
  q.push(pb);
  if (q.length === 1 && pb.held !== true) core.after(0, () => beginNext(core, pb.targetUri));
}

/** The channel has left the destroyed bridge: racing plays that were not lost may start (before BridgeDestroyed). */
export function settleRacingPlays(core: SimCore, ch: SimChannel): void {
  const q = core.playQueues.get(`channel:${ch.id}`);
  if (!q?.some((pb) => pb.held === true)) return;
  for (const pb of q) pb.held = false;
  beginNext(core, `channel:${ch.id}`);
}

function beginNext(core: SimCore, targetUri: string): void {
  const next = core.playQueues.get(targetUri)?.[0];
  if (next && next.state === 'queued' && next.held !== true) beginItem(core, next);
  else if (!next) notifyIdle(core, targetUri);
}

function beginItem(core: SimCore, pb: SimPlayback): void {
  const uri = pb.media[pb.index] ?? '';
  pb.state = 'playing';
  emit(core, pb, 'PlaybackStarted');
  core.record({ kind: 'playback-started', channelId: pb.channelId, bridgeId: pb.bridgeId, playbackId: pb.id, mediaUri: uri });
  if (!KNOWN_SCHEMES.some((s) => uri.startsWith(s))) {
    // Recorded: an unknown scheme starts and then vanishes, with no PlaybackFinished ever (errors.jsonl).
    drop(core, pb);
    notifyIdle(core, pb.targetUri);
    beginNext(core, pb.targetUri);
    return;
  }
  const duration = core.opts.mediaDuration(uri);
  if (duration === 'missing') {
    finish(core, pb, 'failed');
    return;
  }
  pb.remaining_ms = duration;
  pb.resumedAt_ms = Date.now();
  pb.timer = core.after(duration, () => advance(core, pb));
}

function advance(core: SimCore, pb: SimPlayback): void {
  pb.timer = undefined;
  if (pb.index < pb.media.length - 1) {
    emit(core, pb, 'PlaybackContinuing', 'continuing');
    pb.index += 1;
    beginItem(core, pb);
    return;
  }
  finish(core, pb, 'done');
}

function drop(core: SimCore, pb: SimPlayback): void {
  core.cancel(pb.timer);
  pb.timer = undefined;
  if (core.playbacks.get(pb.id) === pb) core.playbacks.delete(pb.id);
  const q = core.playQueues.get(pb.targetUri);
  if (q) {
    const i = q.indexOf(pb);
    if (i !== -1) q.splice(i, 1);
    if (q.length === 0) core.playQueues.delete(pb.targetUri);
  }
}

function finish(core: SimCore, pb: SimPlayback, state: 'done' | 'failed'): void {
  pb.state = state;
  drop(core, pb);
  emit(core, pb, 'PlaybackFinished', state);
  core.record({ kind: 'playback-finished', channelId: pb.channelId, bridgeId: pb.bridgeId, playbackId: pb.id, mediaUri: pb.media[pb.index], detail: { state } });
  notifyIdle(core, pb.targetUri);
  beginNext(core, pb.targetUri);
}

function notifyIdle(core: SimCore, targetUri: string): void {
  const waiters = core.idleWaiters.get(targetUri);
  if (!waiters) return;
  core.idleWaiters.delete(targetUri);
  for (const w of waiters) w();
}

/** DELETE /playbacks/{id}: a running playback finishes "done" (recorded); a queued one just goes. */
export function stopPlayback(core: SimCore, pb: SimPlayback): void {
  if (pb.state === 'queued') {
    drop(core, pb);
    return;
  }
  finish(core, pb, 'done');
}

export type ControlResult = 'ok' | 'invalid';

export function controlPlayback(core: SimCore, pb: SimPlayback, operation: string): ControlResult {
  const elapsed = (): number => (Date.now() - pb.resumedAt_ms) * core.opts.speed;
  const rearm = (): void => {
    core.cancel(pb.timer);
    pb.resumedAt_ms = Date.now();
    pb.timer = core.after(Math.max(0, pb.remaining_ms), () => advance(core, pb));
  };
  switch (operation) {
    case 'pause':
      if (pb.state === 'playing') {
        core.cancel(pb.timer);
        pb.timer = undefined;
        pb.remaining_ms -= elapsed();
        pb.state = 'paused';
      }
      return 'ok';
    case 'unpause':
      if (pb.state === 'paused') {
        pb.state = 'playing';
        emit(core, pb, 'PlaybackStarted');
        rearm();
      }
      return 'ok';
    case 'restart': {
      const d = core.opts.mediaDuration(pb.media[pb.index] ?? '');
      pb.remaining_ms = typeof d === 'number' ? d : 0;
      if (pb.state === 'playing') rearm();
      return 'ok';
    }
    case 'forward':
    case 'reverse': {
      if (pb.state === 'playing') pb.remaining_ms -= elapsed();
      const d = core.opts.mediaDuration(pb.media[pb.index] ?? '');
      const full = typeof d === 'number' ? d : 0;
      pb.remaining_ms = operation === 'forward' ? pb.remaining_ms - SKIP_MS : Math.min(full, pb.remaining_ms + SKIP_MS);
      if (pb.state === 'playing') rearm();
      return 'ok';
    }
    default:
      return 'invalid';
  }
}

/** The target hung up: the running playback finishes "failed", queued ones are dropped. */
export function failPlaybacksOf(core: SimCore, targetUri: string): void {
  const q = core.playQueues.get(targetUri);
  if (!q) return;
  const [current, ...queued] = q;
  for (const pb of queued) drop(core, pb);
  if (current && current.state !== 'queued') finish(core, current, 'failed');
  else if (current) drop(core, current);
  notifyIdle(core, targetUri);
}

/** Resolves when nothing plays on the target (a queued-only target counts as idle). */
export function whenIdle(core: SimCore, targetUri: string): Promise<void> {
  const current = core.playQueues.get(targetUri)?.[0];
  if (!current || current.state === 'queued') return Promise.resolve();
  return new Promise((resolve) => {
    const list = core.idleWaiters.get(targetUri) ?? [];
    list.push(resolve);
    core.idleWaiters.set(targetUri, list);
  });
}
