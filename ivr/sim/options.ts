import type { FarEndRule } from './far-end';
import { farEnds } from './far-end';

/** How long a media URI plays (simulated ms), or 'missing' (PlaybackFinished "failed", as for an unknown sound). */
export type MediaDuration = (mediaUri: string) => number | 'missing';

export interface AriSimulatorOptions {
  /** ARI user and password (HTTP Basic or `api_key=user:pass`); anything else gets 401 as from Asterisk. */
  user: string;
  password: string;
  host?: string;
  /** 0 = an ephemeral port (the default). */
  port?: number;
  /**
   * Time scale: every simulated duration (rings, playbacks, DTMF gaps, dial timeouts, TIMEOUT(absolute)) is divided
   * by this. 1 = real time; 20 = twenty times faster. Timers are plain setTimeout, so sinon fake timers work too.
   */
  speed?: number;
  mediaDuration?: MediaDuration;
  /** Chooses the far end of every originated/dialled channel. Default: answers at once. */
  farEnd?: FarEndRule;
  /** PJSIP endpoints that exist; dialling another gives 500 "Allocation failed". */
  pjsipEndpoints?: readonly string[];
  /** Dialplan context shown on PJSIP channels. */
  pjsipContext?: string;
  /** `asterisk_id` / entity id. */
  asteriskId?: string;
  language?: string;
  /**
   * Simulated ms the members of a bridge take to leave it once `DELETE /bridges/{id}` has answered 204: their
   * ChannelLeftBridge, then BridgeDestroyed, come this much later. On a real Asterisk 22 it took 0–2 ms, sometimes
   * before the 204 and sometimes after it (play-right-after-bridge-destroy.jsonl). Default 1.
   */
  bridgeTeardown_ms?: number;
  /**
   * A play to a channel still leaving a destroyed bridge (sent after the DELETE, before that channel's
   * ChannelLeftBridge) races the teardown. Real Asterisk answered such a play 201 "queued" and, about one time in
   * ten, never started it: no event ever, GET and DELETE of it 404, the channel's later plays unaffected
   * (play-right-after-bridge-destroy.jsonl, try 5). Called with each racing play's 1-based count on this
   * simulator; true = that play is lost. Default: every tenth. A racing play not lost starts once the channel has
   * left (try 2).
   */
  racingPlayLost?: (n: number) => boolean;
  /**
   * Simulated ms between the 200 of `/channels/create` and the channel entering Stasis. Asterisk takes a few ms
   * (create-dial-race.jsonl), and a `/dial` in between gets 409 "Channel not in Stasis application"; a longer
   * window makes that race happen every time. Default 0: right after the 200.
   */
  createStasisDelay_ms?: number;
  /**
   * Connections Asterisk's HTTP server serves at once (http.conf `sessionlimit`, default 100), the
   * event WebSockets included. Asterisk closes a connection beyond the limit as soon as it is
   * accepted, before reading anything: the client sees the socket hang up, never an answer
   * (main/http.c, httpd_helper_thread: "HTTP session count exceeded").
   */
  sessionLimit?: number;
  /**
   * Real (not simulated) ms an idle kept-alive connection stays open between two requests
   * (http.conf `session_keep_alive`, Asterisk's default 15,000).
   */
  sessionKeepAlive_ms?: number;
}

export interface ResolvedOptions {
  user: string;
  password: string;
  host: string;
  port: number;
  speed: number;
  mediaDuration: MediaDuration;
  farEnd: FarEndRule;
  pjsipEndpoints: readonly string[];
  pjsipContext: string;
  asteriskId: string;
  language: string;
  bridgeTeardown_ms: number;
  racingPlayLost: (n: number) => boolean;
  createStasisDelay_ms: number;
  sessionLimit: number;
  sessionKeepAlive_ms: number;
}

/** The recorded rate of lost racing plays, deterministically: every tenth. */
export const everyTenthRacingPlayLost = (n: number): boolean => n % 10 === 0;

export function resolveOptions(options: AriSimulatorOptions): ResolvedOptions {
  const speed = options.speed ?? 1;
  if (!(speed > 0)) throw new RangeError('speed must be > 0');
  const bridgeTeardown_ms = options.bridgeTeardown_ms ?? 1;
  if (!(bridgeTeardown_ms >= 0)) throw new RangeError('bridgeTeardown_ms must be >= 0');
  const sessionLimit = options.sessionLimit ?? 100;
  if (!Number.isInteger(sessionLimit) || sessionLimit < 1) throw new RangeError('sessionLimit must be an integer >= 1');
  const sessionKeepAlive_ms = options.sessionKeepAlive_ms ?? 15_000;
  if (!(sessionKeepAlive_ms > 0)) throw new RangeError('sessionKeepAlive_ms must be > 0');
  return {
    user: options.user,
    password: options.password,
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    speed,
    mediaDuration: options.mediaDuration ?? (() => 0),
    farEnd: options.farEnd ?? (() => farEnds.answer()),
    pjsipEndpoints: options.pjsipEndpoints ?? ['trunk'],
    pjsipContext: options.pjsipContext ?? 'from-trunk',
    asteriskId: options.asteriskId ?? '02:fc:00:00:00:01',
    language: options.language ?? 'en',
    bridgeTeardown_ms,
    racingPlayLost: options.racingPlayLost ?? everyTenthRacingPlayLost,
    createStasisDelay_ms: options.createStasisDelay_ms ?? 0,
    sessionLimit,
    sessionKeepAlive_ms,
  };
}
