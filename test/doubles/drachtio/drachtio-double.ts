import net from 'node:net';
import { AppLink } from './app-link';
import { FrameDecoder, FramingError } from './framing';
import type { Timers } from './sip-core';
import { REAL_TIMERS, SipCore } from './sip-core';
import type { Address } from './sip-network';
import { SipNetwork } from './sip-network';

/**
 * A wire-level test double of drachtio-server (v0.9.10, the version of ../shared/drachtio/transcripts):
 * an UNMODIFIED drachtio-srf connects to its admin port and speaks the real protocol (framing, authenticate,
 * route, ping, sip, response, message/transaction/dialog ids, the echo of what was sent). Its SIP side is an
 * in-process network (SipNetwork) where scripted peers (peers.ts) play callers, carriers and Asterisk nodes.
 * Test and bench code only: it is not part of the product.
 */

export interface DrachtioDoubleOptions {
  secret: string;
  /** The server's own SIP address (default 127.0.0.1:5080, as recorded). */
  sip?: Address;
  version?: string;
  network?: SipNetwork;
  timers?: Partial<Timers>;
  /** Keep every admin frame in `frames` (default true; off for benches). */
  recordFrames?: boolean;
}

export interface WireFrame {
  t_ms: number;
  conn: number;
  dir: 'srf->server' | 'server->srf';
  raw: string;
}

export interface ConnEvent { t_ms: number; conn: number; event: 'open' | 'close' | 'dropped' }

export const RECORDED_VERSION = 'v0.9.10-1-g9c2dd4cb6a';

export class DrachtioServerDouble {
  readonly network: SipNetwork;
  readonly sipAddress: Address;
  /** Every frame on every admin connection, whole, in order (like wire.jsonl). */
  readonly frames: WireFrame[] = [];
  readonly connEvents: ConnEvent[] = [];
  private readonly core: SipCore;
  private readonly links = new Set<AppLink>();
  private server: net.Server | undefined;
  private unbind: (() => void) | undefined;
  private nextConn = 1;
  private roundRobin = 0;
  private readonly started = Date.now();
  private readonly version: string;

  constructor(private readonly opts: DrachtioDoubleOptions) {
    this.network = opts.network ?? new SipNetwork();
    this.sipAddress = opts.sip ?? { host: '127.0.0.1', port: 5080 };
    this.version = opts.version ?? RECORDED_VERSION;
    this.core = new SipCore(this.sipAddress, this.network, { ...REAL_TIMERS, ...opts.timers }, (method) => this.pickApp(method));
  }

  private t(): number {
    return Math.round((Date.now() - this.started) * 10) / 10;
  }

  /** Starts the admin listener on loopback (port 0 = any) and binds the SIP address. */
  async start(port = 0): Promise<{ host: string; port: number }> {
    this.unbind = this.network.bind(this.core);
    const server = net.createServer((socket) => this.accept(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    const addr = server.address() as net.AddressInfo;
    return { host: '127.0.0.1', port: addr.port };
  }

  async stop(): Promise<void> {
    this.core.close();
    this.unbind?.();
    for (const l of this.links) l.socket.destroy();
    this.links.clear();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Resets every admin connection at once (like the recording proxy in 01 D and 12). */
  dropConnections(): void {
    for (const l of this.links) {
      this.connEvents.push({ t_ms: this.t(), conn: l.id, event: 'dropped' });
      l.socket.resetAndDestroy();
    }
  }

  /** Authenticated, open app connections. */
  appCount(): number {
    return [...this.links].filter((l) => l.alive && l.authenticated).length;
  }

  dialogCount(): number {
    return this.core.dialogCount();
  }

  private pickApp(method: string): AppLink | undefined {
    const verb = method.toLowerCase();
    const candidates = [...this.links].filter((l) => l.alive && l.authenticated && l.routes.has(verb));
    if (candidates.length === 0) return undefined;
    return candidates[this.roundRobin++ % candidates.length];
  }

  private accept(socket: net.Socket): void {
    socket.setNoDelay(true);
    const record = this.opts.recordFrames !== false;
    const link = new AppLink(this.nextConn++, socket, (dir, conn, raw) => { if (record) this.frames.push({ t_ms: this.t(), conn, dir, raw }); });
    this.links.add(link);
    this.connEvents.push({ t_ms: this.t(), conn: link.id, event: 'open' });
    const decoder = new FrameDecoder();
    socket.on('data', (chunk) => {
      let payloads: string[];
      try {
        payloads = decoder.push(chunk);
      } catch (err) {
        if (err instanceof FramingError) socket.destroy();
        return;
      }
      for (const p of payloads) {
        if (!link.alive) return;
        if (record) this.frames.push({ t_ms: this.t(), conn: link.id, dir: 'srf->server', raw: p });
        this.handle(link, p);
      }
    });
    const gone = () => {
      if (!link.alive) return;
      link.alive = false;
      this.links.delete(link);
      this.connEvents.push({ t_ms: this.t(), conn: link.id, event: 'close' });
      this.core.linkClosed(link);
    };
    socket.on('close', gone);
    socket.on('error', gone);
    // srf half-closes on disconnect(); the server closes its side.
    socket.on('end', () => socket.end());
  }

  private handle(link: AppLink, payload: string): void {
    const crlf = payload.indexOf('\r\n');
    const leader = crlf >= 0 ? payload.slice(0, crlf) : payload;
    const tokens = leader.split('|');
    const id = tokens[0] ?? '';
    const type = tokens[1] ?? '';
    if (type === 'authenticate') {
      if (tokens[2] === this.opts.secret) {
        link.authenticated = true;
        const hp = `tcp/${this.sipAddress.host}:${this.sipAddress.port},udp/${this.sipAddress.host}:${this.sipAddress.port}`;
        link.reply(id, `OK|${hp}|${this.version}|${hp}`);
      } else {
        link.reply(id, 'NO|incorrect secret');
        link.alive = false;
        link.socket.end();
      }
      return;
    }
    if (!link.authenticated) {
      link.reply(id, 'NO|not authenticated');
      link.socket.end();
      return;
    }
    switch (type) {
      case 'route':
        link.routes.add((tokens[2] ?? '').toLowerCase());
        link.reply(id, 'OK');
        return;
      case 'remove_route':
        // From the server's source: all of this client's routes are removed.
        link.routes.clear();
        link.reply(id, 'OK');
        return;
      case 'ping':
        link.reply(id, 'OK|pong');
        return;
      case 'sip':
        this.core.fromApp(link, id, tokens[2] ?? '', tokens[3] ?? '', tokens[4] ?? '', crlf >= 0 ? payload.slice(crlf + 2) : '');
        return;
      case 'proxy':
        // Not recorded; the edge does not use srf.proxyRequest.
        link.reply(id, 'NOK|proxy is not modelled by the double');
        return;
      default:
        link.reply(id, 'NO|Unknown message type');
        link.socket.destroy();
    }
  }
}
