import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { EventBus } from './event-bus';
import type { RestRequest, Route } from './rest';
import { AriHttpError, matchRoute } from './rest';

const MAX_BODY_BYTES = 64 * 1024;
const NODE_KEEP_ALIVE_MARGIN_MS = 1_000;

function html(status: number, title: string, text: string): string {
  return `<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\r\n<html><head>\r\n<title>${status} ${title}</title>\r\n</head><body>\r\n<h1>${title}</h1>\r\n<p>${text}</p>\r\n<hr />\r\n<address>Asterisk/22.10.1</address>\r\n</body></html>\r\n`;
}

export interface HttpServerConfig {
  user: string;
  password: string;
  routes: () => readonly Route[];
  bus: EventBus;
  onRequest?: (method: string, path: string) => void;
  /** While true, WebSocket upgrades are refused with 503 (to hold a client in its reconnect loop). */
  refuseWebSocket?: () => boolean;
  /** Connections served at once, WebSockets included; one beyond is closed unanswered (options.ts). */
  sessionLimit: number;
  /** Idle time between two requests on one connection before it is closed. */
  sessionKeepAlive_ms: number;
}

/**
 * HTTP + WebSocket front of the simulator: Basic auth or `api_key` (401 `{"message":"Authentication required"}`
 * otherwise), ARI routing errors as Asterisk answers them, Asterisk's session limit and keep-alive, and a
 * "stop answering" switch.
 */
export class AriHttpServer {
  readonly server: Server;
  private readonly wss = new WebSocketServer({ noServer: true });
  private paused = false;
  /** Connections open now, the most open at once, and those closed for being beyond the limit. */
  sessions = 0;
  sessionsPeak = 0;
  sessionsRefused = 0;
  private readonly parked: Array<() => void> = [];
  private readonly upgrading = new Set<Duplex>();

  constructor(private readonly cfg: HttpServerConfig) {
    this.server = createServer((req, res) => this.whenAnswering(() => void this.handle(req, res)));
    // Node's server waits 1 s beyond keepAliveTimeout before it closes an idle connection (a margin
    // against clients racing the close); Asterisk closes at session_keep_alive exactly.
    this.server.keepAliveTimeout = Math.max(1, cfg.sessionKeepAlive_ms - NODE_KEEP_ALIVE_MARGIN_MS);
    this.server.on('connection', (socket: Socket) => {
      if (this.sessions >= cfg.sessionLimit) {
        this.sessionsRefused++;
        socket.destroy();
        return;
      }
      this.sessions++;
      if (this.sessions > this.sessionsPeak) this.sessionsPeak = this.sessions;
      socket.once('close', () => { this.sessions--; });
    });
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      this.upgrading.add(socket);
      socket.once('close', () => this.upgrading.delete(socket));
      this.whenAnswering(() => this.upgrade(req, socket, head));
    });
  }

  /** Accept connections but answer nothing (requests are held until resume). */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    for (const run of this.parked.splice(0)) run();
  }

  async close(): Promise<void> {
    this.parked.length = 0;
    for (const ws of this.wss.clients) ws.terminate();
    for (const socket of this.upgrading) socket.destroy();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private whenAnswering(run: () => void): void {
    if (this.paused) this.parked.push(run);
    else run();
  }

  private authorized(req: IncomingMessage, url: URL): boolean {
    const expected = `${this.cfg.user}:${this.cfg.password}`;
    const header = req.headers.authorization;
    if (header?.startsWith('Basic ')) return Buffer.from(header.slice(6), 'base64').toString('utf8') === expected;
    return url.searchParams.get('api_key') === expected;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim');
    const send = (status: number, body: unknown, contentType = 'application/json'): void => {
      if (body === undefined) {
        res.writeHead(status).end();
        return;
      }
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) }).end(text);
    };
    try {
      const raw = await readBody(req);
      if (!url.pathname.startsWith('/ari/') && url.pathname !== '/ari') {
        send(404, html(404, 'Not Found', 'The requested URL was not found on this server.'), 'text/html');
        return;
      }
      if (!this.authorized(req, url)) {
        res.setHeader('WWW-Authenticate', 'Basic realm="Asterisk REST Interface"');
        send(401, { message: 'Authentication required' });
        return;
      }
      const path = url.pathname.slice('/ari'.length);
      this.cfg.onRequest?.(req.method ?? 'GET', path);
      if (path.length > 1 && path.endsWith('/')) {
        send(404, { message: `ARI URLs do not end with a slash. Try /ari${path.replace(/\/+$/, '')}` });
        return;
      }
      const match = matchRoute(this.cfg.routes(), path);
      if (!match) {
        send(404, { message: 'Resource not found' });
        return;
      }
      const handler = match.route.methods[req.method ?? 'GET'];
      if (!handler) {
        send(405, { message: 'Invalid method' });
        return;
      }
      const request: RestRequest = { method: req.method ?? 'GET', path, params: match.params, query: url.searchParams, body: parseJson(raw) };
      const answer = await handler(request);
      send(answer.status, answer.body);
    } catch (err) {
      if (err instanceof AriHttpError) send(err.status, err.body);
      else send(500, { message: 'Internal simulator error' });
    }
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://sim');
    const refuse = (status: string, contentType: string, body: string): void => {
      socket.end(`HTTP/1.1 ${status}\r\nContent-Type: ${contentType}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    };
    if (url.pathname !== '/ari/events') {
      refuse('404 Not Found', 'text/html', html(404, 'Not Found', 'The requested URL was not found on this server.'));
      return;
    }
    if (this.cfg.refuseWebSocket?.()) {
      refuse('503 Service Unavailable', 'application/json', JSON.stringify({ message: 'Service unavailable' }));
      return;
    }
    if (!this.authorized(req, url)) {
      refuse('401 Unauthorized', 'application/json', JSON.stringify({ message: 'Authentication required' }));
      return;
    }
    const apps = (url.searchParams.get('app') ?? '').split(',').filter((a) => a !== '');
    if (apps.length === 0) {
      refuse('400 Bad Request', 'text/html', html(400, 'Bad Request', 'HTTP request is missing param: [app]'));
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.cfg.bus.attach(apps, ws));
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new AriHttpError(413, { message: 'Request body too large' }));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(raw: string): unknown {
  if (raw.trim() === '') return null;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return null;
  }
}
