import { emitChannel } from './channel-events';
import type { SimCore } from './core';
import type { SimBridge, SimChannel } from './model';
import { bridgeJson } from './model';
import { failPlaybacksOf, settleRacingPlays, whenIdle } from './playback';

/** Apps that hear about the bridge itself (BridgeDestroyed, bridge playbacks). */
export function bridgeApps(b: SimBridge): string[] {
  const apps = new Set(b.explicit);
  for (const [app, n] of b.refs) if (n > 0) apps.add(app);
  return [...apps];
}

function enter(core: SimCore, b: SimBridge, ch: SimChannel): void {
  b.channels.push(ch.id);
  ch.bridgeId = b.id;
  if (ch.subscribedApp !== undefined) b.refs.set(ch.subscribedApp, (b.refs.get(ch.subscribedApp) ?? 0) + 1);
  emitChannel(core, ch, 'ChannelEnteredBridge', [['bridge', bridgeJson(b)]]);
  core.record({ kind: 'bridge-add', channelId: ch.id, bridgeId: b.id });
}

/**
 * A member leaves. Leaving by removeChannel or by the bridge's DELETE drops the subscription this member gave
 * the app; leaving by hanging up keeps it, so BridgeDestroyed is still delivered later (bridge-lifecycle B–F).
 */
export function leaveBridge(core: SimCore, ch: SimChannel, how: 'removed' | 'hangup'): void {
  const b = ch.bridgeId === undefined ? undefined : core.bridges.get(ch.bridgeId) ?? core.departing.get(ch.bridgeId);
  ch.bridgeId = undefined;
  if (!b) return;
  b.channels = b.channels.filter((id) => id !== ch.id);
  emitChannel(core, ch, 'ChannelLeftBridge', [['bridge', bridgeJson(b)]]);
  const app = ch.subscribedApp;
  if (how === 'removed' && app !== undefined) {
    const n = (b.refs.get(app) ?? 0) - 1;
    if (n > 0) b.refs.set(app, n);
    else b.refs.delete(app);
  }
  core.record({ kind: 'bridge-remove', channelId: ch.id, bridgeId: b.id });
}

/**
 * addChannel goes through each channel's control queue, so it waits for a running playback to end
 * (bridge-add-during-playback.jsonl). Adding a member again makes it leave and re-enter.
 */
export async function addToBridge(core: SimCore, b: SimBridge, members: SimChannel[]): Promise<void> {
  for (const ch of members) {
    await whenIdle(core, `channel:${ch.id}`);
    if (!ch.alive || !core.bridges.has(b.id)) continue;
    if (ch.bridgeId !== undefined) leaveBridge(core, ch, 'removed');
    enter(core, b, ch);
  }
}

/**
 * DELETE /bridges/{id}: the bridge is gone for REST at once (GET 404), its own playbacks fail; its members leave
 * `bridgeTeardown_ms` later (ChannelLeftBridge each, then BridgeDestroyed), as on a real Asterisk where those
 * events come just before or just after the 204. A play to a member in between races the teardown (playback.ts).
 */
export function destroyBridge(core: SimCore, b: SimBridge): void {
  failPlaybacksOf(core, `bridge:${b.id}`);
  core.bridges.delete(b.id);
  core.departing.set(b.id, b);
  core.record({ kind: 'bridge-destroy', bridgeId: b.id });
  core.after(core.opts.bridgeTeardown_ms, () => completeTeardown(core, b));
}

function completeTeardown(core: SimCore, b: SimBridge): void {
  if (core.departing.get(b.id) !== b) return;
  for (const id of [...b.channels]) {
    const ch = core.channels.get(id);
    if (!ch) continue;
    leaveBridge(core, ch, 'removed');
    settleRacingPlays(core, ch);
  }
  core.departing.delete(b.id);
  const json = bridgeJson(b);
  for (const app of bridgeApps(b)) core.bus.send(app, 'BridgeDestroyed', [['bridge', json]]);
}
