import type { CallerStep, DialTarget, FarEnd } from './far-end';

export type ChannelState = 'Down' | 'Ring' | 'Ringing' | 'Up' | 'Busy';
/** How the channel came to be: which decides what the app is subscribed to and what it hears at the end. */
export type ChannelOrigin = 'inbound' | 'originate' | 'create' | 'local-peer';

export interface CallerIdJson { name: string; number: string }
export interface DialplanJson { context: string; exten: string; priority: number; app_name: string; app_data: string }

export interface ChannelJson {
  id: string;
  name: string;
  state: ChannelState;
  protocol_id: string;
  caller: CallerIdJson;
  connected: CallerIdJson;
  accountcode: string;
  dialplan: DialplanJson;
  creationtime: string;
  language: string;
  channelvars?: Record<string, string>;
}

export interface DialProgress {
  target: DialTarget;
  farEnd: FarEnd;
  /** `dialstring` of the Dial events (e.g. `12125551234@pstn`, `trunk/sip:…`). */
  dialstring: string;
  mode: 'originate' | 'dial';
  /** Ring timeout, simulated seconds; 0 = none. */
  timeout_s: number;
  answered: boolean;
}

export interface SimChannel {
  id: string;
  name: string;
  state: ChannelState;
  protocolId: string;
  caller: CallerIdJson;
  connected: CallerIdJson;
  dialplan: DialplanJson;
  creationtime: string;
  technology: 'Local' | 'PJSIP';
  origin: ChannelOrigin;
  /** The other half of a Local channel. */
  peer?: SimChannel;
  /** The app that receives this channel's events (subscription), if any. */
  subscribedApp?: string;
  /** The app this channel is in Stasis with, if any. */
  stasisApp?: string;
  /** Entered Stasis from the dialplan (`Stasis(app,…)`): unsubscribed at StasisEnd, no ChannelDestroyed follows. */
  stasisFromDialplan?: boolean;
  stasisArgs: string[];
  vars: Map<string, string>;
  reportedVars: Set<string>;
  bridgeId?: string;
  alive: boolean;
  hangingUp: boolean;
  /** Who ended it: the app (DELETE), the other party (BYE / far-end hangup), or TIMEOUT(absolute). */
  endedBy?: 'app' | 'remote' | 'timeout';
  dial?: DialProgress;
  /** Far-end / caller script timers, cancelled when the channel goes. */
  timers: Set<NodeJS.Timeout>;
  absoluteTimer?: NodeJS.Timeout;
  /** Wall-clock ms at which TIMEOUT(absolute) fires. */
  absoluteDeadline_ms?: number;
  /** Script run once the channel is answered (inbound callers, Local caller contexts). */
  script?: CallerStep[];
}

export interface BridgeJson {
  id: string;
  technology: string;
  bridge_type: string;
  bridge_class: string;
  creator: string;
  name: string;
  channels: string[];
  creationtime: string;
  video_mode: string;
}

export interface SimBridge {
  id: string;
  type: 'mixing' | 'holding';
  name: string;
  channels: string[];
  creationtime: string;
  /** Per app: how many member channels subscribed it (kept when a member hangs up, dropped when it is removed). */
  refs: Map<string, number>;
  /** Apps subscribed through POST /applications/{app}/subscription. */
  explicit: Set<string>;
}

export type PlaybackState = 'queued' | 'playing' | 'paused' | 'done' | 'failed';

export interface PlaybackJson {
  id: string;
  media_uri: string;
  next_media_uri?: string;
  target_uri: string;
  language: string;
  state: string;
}

export interface SimPlayback {
  id: string;
  media: string[];
  index: number;
  targetUri: string;
  channelId?: string;
  bridgeId?: string;
  language: string;
  state: PlaybackState;
  /** A play that raced a bridge teardown and was not lost: it waits until its channel has left the bridge. */
  held?: boolean;
  timer?: NodeJS.Timeout;
  /** Simulated ms left of the current media item, and when it (re)started (wall ms). */
  remaining_ms: number;
  resumedAt_ms: number;
}

export function channelJson(ch: SimChannel, language: string): ChannelJson {
  const json: ChannelJson = {
    id: ch.id,
    name: ch.name,
    state: ch.state,
    protocol_id: ch.protocolId,
    caller: { ...ch.caller },
    connected: { ...ch.connected },
    accountcode: '',
    dialplan: { ...ch.dialplan },
    creationtime: ch.creationtime,
    language,
  };
  if (ch.reportedVars.size > 0) {
    json.channelvars = {};
    for (const name of ch.reportedVars) json.channelvars[name] = ch.vars.get(name) ?? '';
  }
  return json;
}

export function bridgeJson(b: SimBridge): BridgeJson {
  return {
    id: b.id,
    technology: b.type === 'holding' ? 'holding_bridge' : 'simple_bridge',
    bridge_type: b.type,
    bridge_class: 'stasis',
    creator: 'Stasis',
    name: b.name,
    channels: [...b.channels],
    creationtime: b.creationtime,
    video_mode: 'talker',
  };
}

export function playbackJson(pb: SimPlayback, stateOverride?: string): PlaybackJson {
  const next = pb.media[pb.index + 1];
  return {
    id: pb.id,
    media_uri: pb.media[pb.index] ?? '',
    ...(next !== undefined ? { next_media_uri: next } : {}),
    target_uri: pb.targetUri,
    language: pb.language,
    state: stateOverride ?? pb.state,
  };
}
