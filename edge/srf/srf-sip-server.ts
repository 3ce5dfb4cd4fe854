import Srf from 'drachtio-srf';
import type { Logger } from '../../billing/shared/logger';
import type { CallerLeg, Dialer } from '../calls/legs';
import { SrfCallerLeg } from './srf-caller-leg';
import { SrfDialer } from './srf-dialer';

/** What the edge does with requests; the adapter turns srf's req/res into these calls. */
export interface SipHandlers {
  invite(call: CallerLeg): void;
  /** The status to answer an out-of-dialog OPTIONS / REGISTER from `source` with. */
  options(source: string): number;
  register(source: string): { status: number; headers?: Record<string, string> };
}

export interface SipServerOptions {
  host: string;
  port: number;
  secret: string;
  /** Cap of srf's reconnect backoff (it grows ×1.7 from 150 ms and is otherwise unbounded). */
  reconnectMaxDelay_ms: number;
}

/**
 * The edge's only contact with drachtio-srf (with srf-caller-leg, srf-dialer, dialog-leg): connects to
 * drachtio-server and keeps reconnecting with bounded backoff, routes INVITE/OPTIONS/REGISTER to the
 * handlers, sends OPTIONS probes, and reports the connection state.
 */
export class SrfSipServer {
  private readonly srf = new Srf();
  readonly dialer: Dialer;
  private up = false;
  private stopped = false;

  constructor(
    private readonly opts: SipServerOptions,
    handlers: SipHandlers,
    private readonly log: Logger,
    private readonly onConnection: (up: boolean) => void,
  ) {
    this.dialer = new SrfDialer(this.srf);
    this.srf.on('connect', (err, hostport, version) => {
      if (err) {
        this.log.error('drachtio-server refused the connection (check DRACHTIO_SECRET)', { error: err.message });
        return;
      }
      this.setUp(true);
      this.log.info('connected to drachtio-server', { hostport, version });
    });
    this.srf.on('error', (err) => {
      if (this.up || !this.stopped) this.log.warn('drachtio connection error', { error: err.message });
      this.setUp(false);
    });
    this.srf.on('close', () => this.setUp(false));
    this.srf.on('reconnecting', (r) => this.log.info('reconnecting to drachtio-server', { delay_ms: r.delay, attempt: r.attempt }));
    this.srf.invite((req, res) => {
      handlers.invite(new SrfCallerLeg(this.srf, req, res));
    });
    this.srf.options((req, res) => res.send(handlers.options(req.source_address)));
    this.srf.register((req, res) => {
      const answer = handlers.register(req.source_address);
      res.send(answer.status, { headers: answer.headers ?? {} });
    });
  }

  private setUp(up: boolean): void {
    if (this.up === up) return;
    this.up = up;
    if (!up && !this.stopped) this.log.warn('drachtio-server connection lost');
    this.onConnection(up);
  }

  get connected(): boolean {
    return this.up;
  }

  start(): void {
    this.srf.connect({
      host: this.opts.host, port: this.opts.port, secret: this.opts.secret,
      enablePing: true, pingInterval: 10_000,
      reconnect: { retryMaxDelay: this.opts.reconnectMaxDelay_ms },
    });
  }

  stop(): void {
    this.stopped = true;
    try {
      this.srf.disconnect();
    } catch {
      // not connected (srf asserts on a missing socket): its retry loop is stopped below
    }
    // srf has no public way to stop retrying while disconnected: end its pending retry and mark it closing.
    type WireProtocol = { reconnectOpts?: { maxAttempts?: number }; reconnectVars?: { retryTimer?: NodeJS.Timeout | null }; closing?: boolean };
    const wp = (this.srf as unknown as { _app?: { client?: { wp?: WireProtocol } } })._app?.client?.wp;
    if (wp) {
      wp.closing = true;
      if (wp.reconnectOpts) wp.reconnectOpts.maxAttempts = 1;
      if (wp.reconnectVars?.retryTimer) {
        clearTimeout(wp.reconnectVars.retryTimer);
        wp.reconnectVars.retryTimer = null;
      }
    }
    this.setUp(false);
  }

  /**
   * OPTIONS to `uri`: true when the far end answers (any final answer it sends itself) within `timeout_ms`;
   * false on no answer or drachtio's own 503/408 (unreachable, timer F).
   */
  probe(uri: string, timeout_ms: number): Promise<boolean> {
    if (!this.up) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeout_ms);
      const done = (ok: boolean) => { clearTimeout(timer); resolve(ok); };
      try {
        this.srf.request(uri, { method: 'OPTIONS', headers: { 'Max-Forwards': '70', 'User-Agent': 'prepaid-edge' } }, (err, req) => {
          if (err) return done(false);
          req.on('response', (res) => done(res.source_address !== ''));
        });
      } catch {
        done(false);
      }
    });
  }
}
