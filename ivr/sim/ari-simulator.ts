import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { SimRecord } from './core';
import { SimCore } from './core';
import type { FailureOutcome } from './dial';
import { driveExternal } from './dial';
import { EventBus } from './event-bus';
import type { FarEndRule } from './far-end';
import { IdSource } from './format';
import { remoteHangup, requestHangup } from './hangup';
import { AriHttpServer } from './http-server';
import type { InboundCallOptions, SimCall } from './inbound-call';
import { placeInboundCall } from './inbound-call';
import type { BridgeJson, ChannelJson } from './model';
import { bridgeJson, channelJson } from './model';
import type { AriSimulatorOptions } from './options';
import { resolveOptions } from './options';
import { bridgeRoutes } from './routes-bridges';
import { channelRoutes } from './routes-channels';
import { otherRoutes } from './routes-other';
import type { Route } from './rest';

/**
 * A fake Asterisk 22 speaking ARI over real HTTP + WebSocket on loopback, shaped after the transcripts recorded
 * from a real Asterisk 22.10.1. Observers get 'playback', 'channel-state', 'channel-destroyed', 'dtmf',
 * 'record' and 'request' events.
 */
export class AriSimulator extends EventEmitter {
  private readonly core: SimCore;
  private readonly bus: EventBus;
  private readonly http: AriHttpServer;
  private routes: Route[] = [];
  private baseUrl = '';
  private refuseUntil_ms = 0;

  constructor(options: AriSimulatorOptions) {
    super();
    const opts = resolveOptions(options);
    this.bus = new EventBus(opts.asteriskId, () => new Date());
    this.core = new SimCore(opts, new IdSource(), this.bus);
    for (const name of ['playback', 'channel-state', 'channel-destroyed', 'dtmf', 'record']) {
      this.core.observer.on(name, (e: unknown) => this.emit(name, e));
    }
    this.routes = [...channelRoutes(this.core), ...bridgeRoutes(this.core), ...otherRoutes(this.core, () => this.baseUrl)];
    this.http = new AriHttpServer({
      user: opts.user,
      password: opts.password,
      routes: () => this.routes,
      bus: this.bus,
      onRequest: (method, path) => this.emit('request', { method, path }),
      refuseWebSocket: () => Date.now() < this.refuseUntil_ms,
      sessionLimit: opts.sessionLimit,
      sessionKeepAlive_ms: opts.sessionKeepAlive_ms,
    });
  }

  /** Base URL to give the ARI client, e.g. `http://127.0.0.1:41234`. */
  get url(): string {
    if (this.baseUrl === '') throw new Error('simulator not started');
    return this.baseUrl;
  }

  async start(): Promise<string> {
    const { host, port } = this.core.opts;
    await new Promise<void>((resolve, reject) => {
      this.http.server.once('error', reject);
      this.http.server.listen(port, host, () => resolve());
    });
    const addr = this.http.server.address() as AddressInfo;
    this.baseUrl = `http://${host}:${addr.port}`;
    return this.baseUrl;
  }

  /** HTTP connections (WebSockets included): open now, most at once, closed unanswered for being beyond the limit. */
  httpSessions(): { open: number; peak: number; refused: number } {
    return { open: this.http.sessions, peak: this.http.sessionsPeak, refused: this.http.sessionsRefused };
  }

  async stop(): Promise<void> {
    this.core.cancelAll();
    this.bus.dropAll();
    await this.http.close();
  }

  /** A caller dials the access number; the call enters Stasis (`StasisStart`, state Ring) at once. */
  placeInboundCall(options: InboundCallOptions): SimCall {
    return placeInboundCall(this.core, options);
  }

  /** Changes how far ends of later outbound channels behave. */
  setFarEnd(rule: FarEndRule): void {
    this.core.opts.farEnd = rule;
  }

  /**
   * Drives the `external` far end of an outbound channel (farEnds.external()): it rings, answers, or fails with
   * the given outcome now. False when the channel has no such far end waiting.
   */
  driveFarEnd(channelId: string, action: 'ring' | 'answer' | FailureOutcome): boolean {
    const ch = this.core.liveChannel(channelId);
    return ch ? driveExternal(this.core, ch, action) : false;
  }

  /** The far end of an answered channel hangs up (SIP BYE / Local `;2` Hangup); a `;2` id means its `;1`. */
  hangupFarEnd(channelId: string): boolean {
    const found = this.core.liveChannel(channelId);
    const ch = found?.origin === 'local-peer' ? found.peer : found;
    if (!ch?.alive) return false;
    remoteHangup(this.core, ch);
    return true;
  }

  /**
   * Asterisk CLI `channel request hangup <channel>` on the `;2` half of an answered outbound Local channel (how the
   * recordings made a far end go away); false when the channel is not such a half.
   */
  requestHangup(channelId: string): boolean {
    const ch = this.core.liveChannel(channelId);
    return ch ? requestHangup(this.core, ch) : false;
  }

  /** Changes which plays racing a bridge teardown are lost (see AriSimulatorOptions.racingPlayLost). */
  setRacingPlayLost(rule: (n: number) => boolean): void {
    this.core.opts.racingPlayLost = rule;
  }

  /** Drops every WebSocket (no close frame); optionally refuses new ones for a while. Channels survive. */
  dropWebSockets(opts: { refuse_ms?: number } = {}): void {
    this.refuseUntil_ms = Date.now() + (opts.refuse_ms ?? 0);
    this.bus.dropAll();
  }

  /** Accept connections but never answer (REST and WebSocket upgrades are held until resumeHttp). */
  pauseHttp(): void {
    this.http.pause();
  }

  resumeHttp(): void {
    this.http.resume();
  }

  /** Sends any JSON frame to every connected WebSocket, e.g. `{type: 'SomethingNew'}`. */
  emitRaw(event: unknown): void {
    this.bus.sendRaw(event);
  }

  isConnected(app: string): boolean {
    return this.bus.isConnected(app);
  }

  channels(): ChannelJson[] {
    return [...this.core.channels.values()].filter((c) => c.alive).map((c) => channelJson(c, this.core.opts.language));
  }

  channel(id: string): ChannelJson | undefined {
    const ch = this.core.liveChannel(id);
    return ch ? channelJson(ch, this.core.opts.language) : undefined;
  }

  /** Simulated seconds left of a channel's TIMEOUT(absolute), or undefined when none is set. */
  absoluteTimeoutLeft_s(channelId: string): number | undefined {
    const ch = this.core.liveChannel(channelId);
    if (ch?.absoluteDeadline_ms === undefined) return undefined;
    return ((ch.absoluteDeadline_ms - Date.now()) * this.core.opts.speed) / 1000;
  }

  bridges(): BridgeJson[] {
    return [...this.core.bridges.values()].map(bridgeJson);
  }

  /** What the app did, in order (answers, rings, plays, hangups, bridges…). */
  records(): readonly SimRecord[] {
    return this.core.records;
  }
}
