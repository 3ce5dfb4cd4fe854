import { randomUUID } from 'node:crypto';
import type { Logger } from '../../billing/shared/logger';
import { silentLogger } from '../../billing/shared/logger';
import type { BackoffPolicy } from './backoff';
import { DEFAULT_BACKOFF } from './backoff';
import { LegTracker } from './dial-result';
import { AriError, isAriError } from './errors';
import { EventSocket } from './event-socket';
import { parseBridge, parseChannel, parseFrame } from './event-parse';
import { PlaybackTracker } from './playback-tracker';
import { AriRest } from './rest-client';
import type {
  AppSnapshot, BridgeInfo, ConnectParams, HangupReason, OriginateRequest, Outcome, OutboundLeg, PlaybackHandle,
  Telephony, TelephonyEvent, TelephonyListener, Unsubscribe,
} from './telephony';

export interface AriTelephonyOptions {
  logger?: Logger;
  /** Bound on every REST call (default 5 s), time queued for a request slot included. */
  restTimeout_ms?: number;
  /**
   * REST requests out at once (default 50), each on its own connection; the others queue. Keep it
   * under Asterisk's http.conf `sessionlimit` (default 100, the event WebSocket included): Asterisk
   * closes the connections beyond that unanswered.
   */
  maxRequestsInFlight?: number;
  /** Bound on connect: API description load and first WebSocket (default 10 s). */
  connectTimeout_ms?: number;
  backoff?: Partial<BackoffPolicy>;
  /** WebSocket ping interval (default 15 s; 0 = off). */
  heartbeat_ms?: number;
  /** How long a failed playback waits for a hang-up event before it counts as 'finished' (default 200 ms). */
  playbackFailedGrace_ms?: number;
  /** Attempts at listing channels/bridges after a reconnect (default 3). */
  reconcileAttempts?: number;
}

/** Half of Asterisk's default http.conf `sessionlimit` (100). */
export const DEFAULT_MAX_REQUESTS_IN_FLIGHT = 50;

const GONE_CODES = ['ari_not_found', 'ari_not_in_stasis'] as const;

function isGone(err: unknown): boolean {
  return GONE_CODES.some((c) => isAriError(err, c));
}

/** Events about a channel: who they concern, for per-channel listeners. */
function channelIdsOf(e: TelephonyEvent): string[] {
  switch (e.type) {
    case 'Dial':
      return [e.peer.id];
    case 'PlaybackStarted':
    case 'PlaybackContinuing':
    case 'PlaybackFinished':
      return e.playback.targetUri.startsWith('channel:') ? [e.playback.targetUri.slice('channel:'.length)] : [];
    case 'BridgeDestroyed':
    case 'Disconnected':
    case 'Reconnected':
    case 'ConnectionLost':
      return [];
    default:
      return [e.channel.id];
  }
}

/** Telephony over Asterisk ARI: REST through ari-client (bounded, typed errors), events through our own socket. */
export class AriTelephony implements Telephony {
  private readonly log: Logger;
  private readonly restTimeout_ms: number;
  private readonly maxRequestsInFlight: number;
  private readonly connectTimeout_ms: number;
  private readonly backoff: BackoffPolicy;
  private readonly heartbeat_ms: number;
  private readonly reconcileAttempts: number;
  private rest?: AriRest;
  private socket?: EventSocket;
  private app = '';
  private readonly listeners = new Set<TelephonyListener>();
  private readonly channelListeners = new Map<string, Set<TelephonyListener>>();
  private readonly legs = new Map<string, LegTracker>();
  private readonly playbacks: PlaybackTracker;
  /** Frames we could not use, by reason (unknown types and the like): for metrics and tests. */
  readonly ignoredFrames = new Map<string, number>();

  constructor(options: AriTelephonyOptions = {}) {
    this.log = (options.logger ?? silentLogger).child({ component: 'ari' });
    this.restTimeout_ms = options.restTimeout_ms ?? 5_000;
    this.maxRequestsInFlight = options.maxRequestsInFlight ?? DEFAULT_MAX_REQUESTS_IN_FLIGHT;
    this.connectTimeout_ms = options.connectTimeout_ms ?? 10_000;
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.heartbeat_ms = options.heartbeat_ms ?? 15_000;
    this.reconcileAttempts = options.reconcileAttempts ?? 3;
    this.playbacks = new PlaybackTracker(options.playbackFailedGrace_ms ?? 200, this.log);
  }

  async connect(params: ConnectParams): Promise<void> {
    if (this.rest) throw new AriError('ari_conflict', 'already connected');
    this.app = params.app;
    const rest = await AriRest.connect({ ...params, restTimeout_ms: this.restTimeout_ms, connectTimeout_ms: this.connectTimeout_ms, maxRequestsInFlight: this.maxRequestsInFlight });
    const socket = new EventSocket({
      ...params,
      backoff: this.backoff,
      heartbeat_ms: this.heartbeat_ms,
      handshakeTimeout_ms: this.connectTimeout_ms,
      logger: this.log,
      onText: (text) => this.onFrame(text),
      onDisconnected: (reason) => {
        this.log.warn('ari event socket lost', { reason });
        this.dispatch({ type: 'Disconnected', reason });
      },
      onReconnected: () => void this.reconcile(),
      onGiveUp: (reason) => {
        this.log.error('ari event socket: giving up', { reason });
        this.dispatch({ type: 'ConnectionLost', reason });
      },
    });
    await socket.open();
    this.rest = rest;
    this.socket = socket;
    this.log.info('ari connected', { url: params.url, app: params.app });
  }

  /** Stops the event socket; pending leg results and playbacks settle as gone (nothing more will be heard). */
  async close(): Promise<void> {
    this.socket?.close();
    this.socket = undefined;
    this.rest = undefined;
    for (const leg of this.legs.values()) leg.settle({ kind: 'failed', status: 'GONE' });
    this.playbacks.channelsGoneExcept(new Set());
  }

  on(listener: TelephonyListener): Unsubscribe {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onChannel(channelId: string, listener: TelephonyListener): Unsubscribe {
    const set = this.channelListeners.get(channelId) ?? new Set();
    set.add(listener);
    this.channelListeners.set(channelId, set);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.channelListeners.get(channelId) === set) this.channelListeners.delete(channelId);
    };
  }

  answer(channelId: string): Promise<Outcome> {
    return this.channelOp('channels', 'answer', { channelId });
  }

  ring(channelId: string): Promise<Outcome> {
    return this.channelOp('channels', 'ring', { channelId });
  }

  stopRinging(channelId: string): Promise<Outcome> {
    return this.channelOp('channels', 'ringStop', { channelId });
  }

  hangup(channelId: string, reason?: HangupReason): Promise<Outcome> {
    this.legs.get(channelId)?.markCancelled();
    return this.channelOp('channels', 'hangup', reason === undefined ? { channelId } : { channelId, reason });
  }

  setChannelVar(channelId: string, name: string, value: string): Promise<Outcome> {
    return this.channelOp('channels', 'setChannelVar', { channelId, variable: name, value });
  }

  async play(channelId: string, mediaUris: readonly string[], opts: { playbackId?: string } = {}): Promise<PlaybackHandle> {
    if (mediaUris.length === 0) throw new AriError('ari_bad_request', 'play: no media');
    const playbackId = opts.playbackId ?? randomUUID();
    const stop = async (): Promise<void> => {
      try {
        await this.restCall('playbacks', 'stop', { playbackId });
      } catch (err) {
        if (!isGone(err)) this.log.warn('playback stop failed', { playbackId, code: isAriError(err) ? err.code : 'unknown' });
      }
    };
    const handle = this.playbacks.track(playbackId, channelId, stop);
    try {
      await this.restCall('channels', 'play', { channelId, media: mediaUris.join(','), playbackId });
    } catch (err) {
      if (isGone(err)) this.playbacks.end(playbackId, 'gone');
      else {
        this.playbacks.forget(playbackId);
        throw err;
      }
    }
    return handle;
  }

  async playbackExists(playbackId: string): Promise<boolean> {
    try {
      await this.restCall('playbacks', 'get', { playbackId });
      return true;
    } catch (err) {
      if (isGone(err)) return false;
      throw err;
    }
  }

  async originate(request: OriginateRequest): Promise<OutboundLeg> {
    const channelId = request.channelId ?? randomUUID();
    const tracker = new LegTracker(channelId);
    this.legs.set(channelId, tracker);
    void tracker.result.then(() => this.legs.delete(channelId));
    try {
      await this.restCall('channels', 'originate', {
        endpoint: request.endpoint,
        app: this.app,
        appArgs: (request.appArgs ?? []).join(','),
        ...(request.callerId !== undefined && { callerId: request.callerId }),
        timeout: request.ringTimeout_s,
        channelId,
        ...(request.variables !== undefined && { variables: request.variables }),
      });
    } catch (err) {
      if (isAriError(err, 'ari_allocation_failed')) {
        tracker.settle({ kind: 'failed', status: 'CHANUNAVAIL' });
      } else {
        tracker.settle({ kind: 'failed', status: 'FAILED' });
        if (err instanceof AriError) throw new AriError(err.code, err.message, { ...err.details, channelId });
        throw err;
      }
    }
    return { channelId, result: tracker.result };
  }

  async createBridge(opts: { bridgeId?: string; name?: string } = {}): Promise<BridgeInfo> {
    const raw = await this.restCall('bridges', 'create', { type: 'mixing', bridgeId: opts.bridgeId ?? randomUUID(), ...(opts.name !== undefined && { name: opts.name }) });
    const bridge = parseBridge(raw);
    if (!bridge) throw new AriError('ari_error', 'bridges.create: unexpected answer');
    return bridge;
  }

  addToBridge(bridgeId: string, channelIds: readonly string[]): Promise<Outcome> {
    return this.channelOp('bridges', 'addChannel', { bridgeId, channel: channelIds.join(',') });
  }

  removeFromBridge(bridgeId: string, channelIds: readonly string[]): Promise<Outcome> {
    return this.channelOp('bridges', 'removeChannel', { bridgeId, channel: channelIds.join(',') });
  }

  destroyBridge(bridgeId: string): Promise<Outcome> {
    return this.channelOp('bridges', 'destroy', { bridgeId });
  }

  /** REST requests out now and waiting for a slot, and the bound (zeros while not connected). */
  requestSlots(): { inFlight: number; queued: number; max: number } {
    return this.rest?.slotUse() ?? { inFlight: 0, queued: 0, max: this.maxRequestsInFlight };
  }

  async snapshot(): Promise<AppSnapshot> {
    const [appRaw, channelsRaw, bridgesRaw] = await Promise.all([
      this.restCall('applications', 'get', { applicationName: this.app }),
      this.restCall('channels', 'list'),
      this.restCall('bridges', 'list'),
    ]);
    const app = appRaw as { channel_ids?: unknown; bridge_ids?: unknown };
    const channelIds = new Set(Array.isArray(app.channel_ids) ? app.channel_ids.map(String) : []);
    const bridgeIds = new Set(Array.isArray(app.bridge_ids) ? app.bridge_ids.map(String) : []);
    const channels = (Array.isArray(channelsRaw) ? channelsRaw : []).map((c) => parseChannel(c, this.app)).filter((c) => c !== undefined && channelIds.has(c.id));
    const bridges = (Array.isArray(bridgesRaw) ? bridgesRaw : []).map((b) => parseBridge(b)).filter((b) => b !== undefined && bridgeIds.has(b.id));
    return { channels: channels as AppSnapshot['channels'], bridges: bridges as AppSnapshot['bridges'] };
  }

  private async restCall(resource: string, operation: string, params: Record<string, unknown> = {}): Promise<unknown> {
    if (!this.rest) throw new AriError('ari_unavailable', `${resource}.${operation}: not connected`);
    return this.rest.call(resource, operation, params);
  }

  /** A channel/bridge operation where "already gone" (404, or no longer in our Stasis app) is an ordinary outcome. */
  private async channelOp(resource: string, operation: string, params: Record<string, unknown>): Promise<Outcome> {
    try {
      await this.restCall(resource, operation, params);
      return 'ok';
    } catch (err) {
      if (isGone(err)) return 'gone';
      throw err;
    }
  }

  private onFrame(text: string): void {
    const parsed = parseFrame(text, this.app);
    if (!parsed.ok) {
      const key = `${parsed.reason}:${parsed.type ?? ''}`;
      this.ignoredFrames.set(key, (this.ignoredFrames.get(key) ?? 0) + 1);
      if (parsed.reason !== 'unhandled-type') this.log.warn('ari event ignored', { reason: parsed.reason, type: parsed.type });
      return;
    }
    this.dispatch(parsed.event);
  }

  private dispatch(e: TelephonyEvent): void {
    this.playbacks.onEvent(e);
    if (e.type === 'StasisStart' || e.type === 'Dial' || e.type === 'ChannelDestroyed') {
      const id = e.type === 'Dial' ? e.peer.id : e.channel.id;
      this.legs.get(id)?.onEvent(e);
    }
    for (const id of channelIdsOf(e)) {
      const set = this.channelListeners.get(id);
      if (set) for (const l of [...set]) this.safely(l, e);
    }
    for (const l of [...this.listeners]) this.safely(l, e);
  }

  private safely(listener: TelephonyListener, e: TelephonyEvent): void {
    try {
      listener(e);
    } catch (err) {
      this.log.error('telephony listener threw', { type: e.type, error: err instanceof Error ? err.message : String(err) });
    }
  }

  /** After a reconnect: list what is still there, settle what vanished while we were away, tell the call flow. */
  private async reconcile(): Promise<void> {
    let snapshot: AppSnapshot | null = null;
    for (let attempt = 1; attempt <= this.reconcileAttempts && snapshot === null; attempt++) {
      try {
        snapshot = await this.snapshot();
      } catch (err) {
        this.log.warn('ari reconcile listing failed', { attempt, code: isAriError(err) ? err.code : 'unknown' });
      }
    }
    if (snapshot) {
      const present = new Set(snapshot.channels.map((c) => c.id));
      for (const [id, leg] of this.legs) {
        const ch = snapshot.channels.find((c) => c.id === id);
        if (!present.has(id)) leg.settle({ kind: 'failed', status: 'GONE' });
        else if (ch?.inStasis) leg.settle({ kind: 'answered', channel: ch });
      }
      this.playbacks.channelsGoneExcept(present);
    }
    this.log.info('ari reconnected', { channels: snapshot?.channels.length, bridges: snapshot?.bridges.length });
    this.dispatch({ type: 'Reconnected', snapshot });
  }
}
