import { leaveBridge } from './bridge';
import { SOFTHANGUP_EXPLICIT } from './causes';
import { destroyChannel, emitDial, emitHangupRequest, emitRtpQos, leaveStasis } from './channel-events';
import type { SimCore } from './core';
import type { SimChannel } from './model';
import { failPlaybacksOf } from './playback';

function begin(core: SimCore, ch: SimChannel, by: NonNullable<SimChannel['endedBy']>): boolean {
  if (!ch.alive || ch.hangingUp) return false;
  ch.hangingUp = true;
  ch.endedBy = by;
  for (const t of ch.timers) core.cancel(t);
  ch.timers.clear();
  return true;
}

export function livePeer(ch: SimChannel): SimChannel | undefined {
  return ch.peer?.alive ? ch.peer : undefined;
}

/**
 * The end of a channel that has a live Local `;2` half (or none): the half is told (`cause`), the channel is
 * destroyed, then the half hangs up (16, soft) and is destroyed (hangup-reasons, absolute-timeout,
 * channel-variables-and-info .jsonl).
 */
export function destroyWithPeer(core: SimCore, ch: SimChannel, peer: SimChannel | undefined, cause: number): void {
  if (peer) emitHangupRequest(core, peer, { cause });
  destroyChannel(core, ch, cause);
  if (peer) {
    emitHangupRequest(core, peer, { cause: 16, soft: true });
    destroyChannel(core, peer, cause);
  }
}

/** Playback fails, the bridge is left (keeping the bridge subscription), Stasis ends. */
function unwind(core: SimCore, ch: SimChannel): void {
  failPlaybacksOf(core, `channel:${ch.id}`);
  leaveBridge(core, ch, 'hangup');
  leaveStasis(core, ch);
}

/**
 * `DELETE /channels/{id}` (written DEL in the transcripts): HangupRequest(32 soft) > StasisEnd > … the Q.850 `cause`
 * (16 unless a reason was given) shows up in ChannelDestroyed and on the Local `;2` half.
 */
export function appHangup(core: SimCore, ch: SimChannel, cause: number): void {
  if (!begin(core, ch, 'app')) return;
  const peer = livePeer(ch);
  if (ch.stasisApp !== undefined) {
    emitRtpQos(core, ch);
    emitHangupRequest(core, ch, { cause: SOFTHANGUP_EXPLICIT, soft: true });
    unwind(core, ch);
    destroyWithPeer(core, ch, peer, cause);
    return;
  }
  // An originated leg that has not answered yet (caller-hangs-up-while-ringing.jsonl).
  emitHangupRequest(core, ch, { cause: SOFTHANGUP_EXPLICIT, soft: true });
  if (ch.dial && !ch.dial.answered) emitDial(core, ch, 'NOANSWER', ch.dial.dialstring);
  if (peer) {
    emitHangupRequest(core, peer, { cause: 16 });
    emitHangupRequest(core, peer, { cause: 16, soft: true });
    destroyChannel(core, peer, 16);
  }
  destroyChannel(core, ch, 16);
}

/**
 * The other party hangs up: an answered far end (Local `;2` runs Hangup, or a SIP BYE), or an inbound caller
 * (BYE when answered, CANCEL before: cause 127 / 487).
 */
export function remoteHangup(core: SimCore, ch: SimChannel): void {
  if (!begin(core, ch, 'remote')) return;
  if (ch.origin === 'inbound') {
    if (ch.state === 'Up') {
      emitRtpQos(core, ch);
      emitHangupRequest(core, ch, {});
    } else {
      emitHangupRequest(core, ch, { cause: 127, techCause: 487 });
    }
    unwind(core, ch);
    destroyChannel(core, ch, ch.state === 'Up' ? 16 : 127);
    return;
  }
  const peer = livePeer(ch);
  if (ch.technology === 'Local') {
    if (peer) emitHangupRequest(core, peer, { cause: 16, soft: true });
    emitHangupRequest(core, ch, { cause: 16 });
    if (peer) destroyChannel(core, peer, 16);
  } else {
    emitRtpQos(core, ch);
    // Recorded: no cause keys after an originate, cause 16 on a /create + /dial leg.
    emitHangupRequest(core, ch, ch.origin === 'create' ? { cause: 16 } : {});
  }
  unwind(core, ch);
  destroyChannel(core, ch, 16);
}

/**
 * TIMEOUT(absolute) ran out. No ChannelHangupRequest for the channel itself; cause 16 when it was bridged, 0 when
 * not (absolute-timeout*.jsonl).
 */
export function absoluteTimeoutExpired(core: SimCore, ch: SimChannel): void {
  if (!begin(core, ch, 'timeout')) return;
  const peer = livePeer(ch);
  const cause = ch.stasisApp !== undefined && ch.bridgeId !== undefined ? 16 : 0;
  unwind(core, ch);
  destroyWithPeer(core, ch, peer, cause);
}

/**
 * Asterisk CLI `channel request hangup` on the `;2` half of an answered Local channel whose `;1` is in Stasis (the
 * far end of an outbound leg going away, as recorded in play-right-after-bridge-destroy.jsonl):
 * HangupRequest(;2 32 soft) > HangupRequest(;2 16 soft) > HangupRequest(;1 cause 0) > ChannelDestroyed(;2 0) >
 * [ChannelLeftBridge(;1)] > StasisEnd(;1) > ChannelDestroyed(;1 16). False for any other channel (not modelled).
 */
export function requestHangup(core: SimCore, ch: SimChannel): boolean {
  const one = ch.origin === 'local-peer' ? livePeer(ch) : undefined;
  if (!one || !ch.alive || ch.hangingUp) return false;
  if (!begin(core, ch, 'remote')) return false;
  begin(core, one, 'remote');
  emitHangupRequest(core, ch, { cause: SOFTHANGUP_EXPLICIT, soft: true });
  emitHangupRequest(core, ch, { cause: 16, soft: true });
  emitHangupRequest(core, one, { cause: 0 });
  destroyChannel(core, ch, 0);
  unwind(core, one);
  destroyChannel(core, one, 16);
  return true;
}
