/**
 * The telephony operations the IVR call flow depends on. Owned by the IVR; implemented over ARI by
 * `AriTelephony` (the only code that knows about ari-client). Channel operations on a channel that is already
 * gone resolve to `'gone'` instead of throwing; other failures reject with an `AriError` carrying a stable code.
 */

export interface ConnectParams {
  /** ARI base URL, e.g. `http://127.0.0.1:8088`. */
  url: string;
  user: string;
  password: string;
  /** Stasis application name, e.g. `prepaid`. */
  app: string;
}

/** What the call flow sees of a channel. */
export interface ChannelInfo {
  id: string;
  name: string;
  /** `Down`, `Ring`, `Ringing`, `Up`, `Busy`, … */
  state: string;
  callerNumber: string;
  callerName: string;
  /** The dialled extension (`dialplan.exten`): the access number for inbound calls. */
  dialedExten: string;
  /** True while the channel is in Stasis with our app (per its dialplan location). */
  inStasis: boolean;
  /** Stasis arguments read from the dialplan location, when in Stasis. */
  stasisArgs: string[];
  creationTime: string;
}

export interface BridgeInfo {
  id: string;
  name: string;
  bridgeType: string;
  channelIds: string[];
}

export interface PlaybackInfo {
  id: string;
  mediaUri: string;
  /** `channel:<id>` or `bridge:<id>`. */
  targetUri: string;
  state: string;
}

export type DialStatus = '' | 'RINGING' | 'PROGRESS' | 'ANSWER' | 'BUSY' | 'NOANSWER' | 'CONGESTION' | 'CHANUNAVAIL' | 'CANCEL' | (string & {});

/** Events the call flow gets. Connection-level ones have no channel. */
export type TelephonyEvent =
  | { type: 'StasisStart'; channel: ChannelInfo; args: string[] }
  | { type: 'StasisEnd'; channel: ChannelInfo }
  | { type: 'ChannelStateChange'; channel: ChannelInfo }
  | { type: 'ChannelDtmfReceived'; channel: ChannelInfo; digit: string; duration_ms: number }
  /** `cause` is absent on a SIP BYE; 32 + soft on an app-side hangup. */
  | { type: 'ChannelHangupRequest'; channel: ChannelInfo; cause?: number; soft?: boolean; techCause?: number }
  | { type: 'ChannelDestroyed'; channel: ChannelInfo; cause: number; causeText: string; techCause?: number }
  | { type: 'Dial'; peer: ChannelInfo; dialStatus: DialStatus; dialString: string }
  | { type: 'PlaybackStarted'; playback: PlaybackInfo }
  | { type: 'PlaybackContinuing'; playback: PlaybackInfo }
  | { type: 'PlaybackFinished'; playback: PlaybackInfo }
  | { type: 'ChannelEnteredBridge'; bridge: BridgeInfo; channel: ChannelInfo }
  | { type: 'ChannelLeftBridge'; bridge: BridgeInfo; channel: ChannelInfo }
  | { type: 'BridgeDestroyed'; bridge: BridgeInfo }
  | { type: 'Disconnected'; reason: string }
  /** The event socket is back; `snapshot` lists the app's channels and bridges (null if listing failed). */
  | { type: 'Reconnected'; snapshot: AppSnapshot | null }
  /** Reconnection gave up after its bounded number of attempts; nothing more will arrive. */
  | { type: 'ConnectionLost'; reason: string };

export type TelephonyEventType = TelephonyEvent['type'];

export interface AppSnapshot {
  channels: ChannelInfo[];
  bridges: BridgeInfo[];
}

export type Unsubscribe = () => void;
export type TelephonyListener = (event: TelephonyEvent) => void;

/** Result of an operation on a channel/bridge/playback that may already be gone (a 404 is an ordinary outcome). */
export type Outcome = 'ok' | 'gone';

export type PlaybackEnd = 'finished' | 'stopped' | 'gone';

export interface PlaybackHandle {
  readonly playbackId: string;
  readonly channelId: string;
  /**
   * Resolves once Asterisk reports the playback started (PlaybackStarted, which may come before the play's 201), or
   * once it has ended without one. Asterisk 22 can answer a play 201 "queued" and never start it
   * (play-right-after-bridge-destroy.jsonl): whoever waits on a playback bounds this wait. Never rejects.
   */
  readonly started: Promise<void>;
  /** True once PlaybackStarted has been seen. */
  readonly hasStarted: boolean;
  /** 'finished' (played to the end), 'stopped' (cancel()), 'gone' (the channel went away). Never rejects. */
  readonly done: Promise<PlaybackEnd>;
  /** Stops the playback; `done` then resolves 'stopped' (unless it had already ended). Never rejects. */
  cancel(): Promise<void>;
}

export type HangupReason = 'normal' | 'busy' | 'congestion' | 'no_answer' | 'timeout' | 'rejected' | 'unallocated' | 'answered_elsewhere';

export interface OriginateRequest {
  /** e.g. `PJSIP/12125551234@trunk` or `PJSIP/trunk/sip:12125551234@carrier`. */
  endpoint: string;
  /** Caller id shown to the far end, e.g. `"Prepaid" <5552000>`. */
  callerId?: string;
  /** Ring timeout in seconds (Asterisk's originate `timeout`: limits ringing only, not the call). */
  ringTimeout_s: number;
  /** Channel variables set at creation, e.g. `{'TIMEOUT(absolute)': '600'}` (counts from creation). */
  variables?: Record<string, string>;
  /** StasisStart args when the leg answers. */
  appArgs?: string[];
  /** Our own channel id, so events can be matched before the response; default: a random UUID. */
  channelId?: string;
}

export type DialResult =
  | { kind: 'answered'; channel: ChannelInfo }
  | { kind: 'failed'; status: 'BUSY' | 'NOANSWER' | 'CONGESTION' | 'CHANUNAVAIL' | 'CANCEL' | 'FAILED' | 'GONE'; cause?: number; causeText?: string };

export interface OutboundLeg {
  readonly channelId: string;
  /** Resolves once: answered (StasisStart) or failed (busy, no answer, …). Never rejects. */
  readonly result: Promise<DialResult>;
}

export interface Telephony {
  connect(params: ConnectParams): Promise<void>;
  close(): Promise<void>;

  /** Every event; returns an unsubscribe function. */
  on(listener: TelephonyListener): Unsubscribe;
  /** Events about one channel (channel, peer or bridge member). */
  onChannel(channelId: string, listener: TelephonyListener): Unsubscribe;

  answer(channelId: string): Promise<Outcome>;
  /** Ringing indication to the caller (`POST /channels/{id}/ring`). */
  ring(channelId: string): Promise<Outcome>;
  stopRinging(channelId: string): Promise<Outcome>;
  hangup(channelId: string, reason?: HangupReason): Promise<Outcome>;
  setChannelVar(channelId: string, name: string, value: string): Promise<Outcome>;

  /** Plays the media one after the other as one playback. */
  play(channelId: string, mediaUris: readonly string[], opts?: { playbackId?: string }): Promise<PlaybackHandle>;
  /**
   * Whether Asterisk still has the playback (queued, playing or paused): false once it has ended, and for a play
   * Asterisk accepted but dropped (play-right-after-bridge-destroy.jsonl: GET 404 for a playback that never started).
   */
  playbackExists(playbackId: string): Promise<boolean>;

  /** Originates an outbound leg into our app: no StasisStart until it answers. */
  originate(request: OriginateRequest): Promise<OutboundLeg>;

  createBridge(opts?: { bridgeId?: string; name?: string }): Promise<BridgeInfo>;
  addToBridge(bridgeId: string, channelIds: readonly string[]): Promise<Outcome>;
  removeFromBridge(bridgeId: string, channelIds: readonly string[]): Promise<Outcome>;
  destroyBridge(bridgeId: string): Promise<Outcome>;

  /** The app's channels and bridges right now (for reconcile). */
  snapshot(): Promise<AppSnapshot>;
}
