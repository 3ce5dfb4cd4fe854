import WebSocket from 'ws';
import type { Logger } from '../../billing/shared/logger';
import type { BackoffPolicy } from './backoff';
import { backoffDelay_ms } from './backoff';
import { AriError } from './errors';
import { basicAuth } from './rest-client';

export interface EventSocketConfig {
  url: string;
  user: string;
  password: string;
  app: string;
  backoff: BackoffPolicy;
  /** Ping interval; a socket with no pong since the previous ping is dropped and reconnected. 0 = off. */
  heartbeat_ms: number;
  handshakeTimeout_ms: number;
  logger: Logger;
  onText(text: string): void;
  onDisconnected(reason: string): void;
  onReconnected(): void;
  onGiveUp(reason: string): void;
}

/**
 * The ARI event WebSocket, owned by us rather than ari-client: ari-client's own socket crashes the process on an
 * event type missing from its models, and its reconnect gives up silently. Here: Basic auth in a header (no
 * secret in the URL), bounded exponential backoff, a heartbeat, and raw frames handed on for safe parsing.
 */
export class EventSocket {
  private ws?: WebSocket;
  private closedByUs = false;
  private attempt = 0;
  private reconnectTimer?: NodeJS.Timeout;
  private heartbeat?: NodeJS.Timeout;

  constructor(private readonly cfg: EventSocketConfig) {}

  /** First connection; rejects with ari_unauthorized / ari_unavailable / ari_timeout. */
  open(): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = this.dial();
      const fail = (err: AriError): void => {
        ws.removeAllListeners();
        ws.on('error', () => {});
        ws.terminate();
        reject(err);
      };
      ws.once('open', () => {
        ws.removeListener('unexpected-response', onUnexpected);
        ws.removeListener('error', onError);
        this.adopt(ws);
        resolve();
      });
      const onUnexpected = (_req: unknown, res: { statusCode?: number }): void => {
        const status = res.statusCode ?? 0;
        fail(new AriError(status === 401 ? 'ari_unauthorized' : 'ari_unavailable', `event socket: HTTP ${status}`, { status }));
      };
      const onError = (err: Error): void => {
        const timedOut = /timed out/i.test(err.message);
        fail(new AriError(timedOut ? 'ari_timeout' : 'ari_unavailable', `event socket: ${err.message}`));
      };
      ws.once('unexpected-response', onUnexpected);
      ws.once('error', onError);
    });
  }

  close(): void {
    this.closedByUs = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.heartbeat);
    if (this.ws) {
      this.ws.removeAllListeners();
      this.ws.on('error', () => {});
      this.ws.close(1000);
    }
    this.ws = undefined;
  }

  private dial(): WebSocket {
    const wsUrl = `${this.cfg.url.replace(/^http/, 'ws')}/ari/events?app=${encodeURIComponent(this.cfg.app)}`;
    return new WebSocket(wsUrl, {
      headers: { Authorization: basicAuth(this.cfg.user, this.cfg.password) },
      handshakeTimeout: this.cfg.handshakeTimeout_ms,
    });
  }

  /** An open socket becomes the current one: frames flow, and its loss starts the reconnect loop. */
  private adopt(ws: WebSocket): void {
    this.ws = ws;
    this.attempt = 0;
    let alive = true;
    ws.on('pong', () => {
      alive = true;
    });
    ws.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      if (!isBinary) this.cfg.onText(data.toString());
    });
    ws.on('error', (err) => this.cfg.logger.warn('ari event socket error', { error: err.message }));
    ws.once('close', (code: number) => {
      clearInterval(this.heartbeat);
      if (this.closedByUs || this.ws !== ws) return;
      this.ws = undefined;
      this.cfg.onDisconnected(`closed (${code})`);
      this.scheduleReconnect();
    });
    clearInterval(this.heartbeat);
    if (this.cfg.heartbeat_ms > 0) {
      this.heartbeat = setInterval(() => {
        if (!alive) {
          this.cfg.logger.warn('ari event socket: no pong, dropping it');
          ws.terminate();
          return;
        }
        alive = false;
        ws.ping();
      }, this.cfg.heartbeat_ms);
      this.heartbeat.unref();
    }
  }

  private scheduleReconnect(): void {
    if (this.closedByUs) return;
    this.attempt += 1;
    if (this.attempt > this.cfg.backoff.maxAttempts) {
      this.cfg.onGiveUp(`no event socket after ${this.cfg.backoff.maxAttempts} attempts`);
      return;
    }
    const delay = backoffDelay_ms(this.cfg.backoff, this.attempt);
    this.cfg.logger.info('ari event socket: reconnecting', { attempt: this.attempt, delay_ms: delay });
    this.reconnectTimer = setTimeout(() => this.reconnectOnce(), delay);
  }

  private reconnectOnce(): void {
    if (this.closedByUs) return;
    const ws = this.dial();
    const retry = (reason: string): void => {
      ws.removeAllListeners();
      ws.on('error', () => {});
      ws.terminate();
      this.cfg.logger.info('ari event socket: reconnect attempt failed', { attempt: this.attempt, reason });
      this.scheduleReconnect();
    };
    ws.once('unexpected-response', (_req: unknown, res: { statusCode?: number }) => retry(`HTTP ${res.statusCode ?? 0}`));
    ws.once('error', (err: Error) => retry(err.message));
    ws.once('open', () => {
      ws.removeAllListeners();
      if (this.closedByUs) {
        ws.close(1000);
        return;
      }
      this.adopt(ws);
      this.cfg.onReconnected();
    });
  }
}
