import type { WebSocket } from 'ws';
import { ariTimestamp } from './format';

type Fields = ReadonlyArray<readonly [string, unknown]>;

interface AppRegistration {
  name: string;
  /** The socket that receives events; an older one got ApplicationReplaced and hears nothing more. */
  socket?: WebSocket;
}

/**
 * Registered Stasis apps and their WebSockets. Events for an app without an open socket are dropped, never
 * replayed (websocket-reconnect.jsonl). Each text frame carries exactly one event.
 */
export class EventBus {
  private readonly apps = new Map<string, AppRegistration>();
  private readonly sockets = new Set<WebSocket>();

  constructor(private readonly asteriskId: string, private readonly now: () => Date) {}

  appNames(): string[] {
    return [...this.apps.keys()];
  }

  hasApp(name: string): boolean {
    return this.apps.has(name);
  }

  isConnected(name: string): boolean {
    const socket = this.apps.get(name)?.socket;
    return socket !== undefined && socket.readyState === socket.OPEN;
  }

  attach(appNames: readonly string[], socket: WebSocket): void {
    this.sockets.add(socket);
    for (const name of appNames) {
      const reg = this.apps.get(name) ?? { name };
      const old = reg.socket;
      if (old && old !== socket && old.readyState === old.OPEN) {
        old.send(JSON.stringify({ type: 'ApplicationReplaced', timestamp: ariTimestamp(this.now()), application: name, asterisk_id: this.asteriskId }));
      }
      reg.socket = socket;
      this.apps.set(name, reg);
    }
    socket.on('close', () => {
      this.sockets.delete(socket);
      for (const reg of this.apps.values()) if (reg.socket === socket) reg.socket = undefined;
    });
  }

  /** Builds `{...lead, type, timestamp, ...fields, asterisk_id, application}` in Asterisk's key order and sends it. */
  send(app: string | undefined, type: string, fields: Fields, lead: Fields = []): Record<string, unknown> | undefined {
    if (app === undefined) return undefined;
    const event: Record<string, unknown> = {};
    for (const [k, v] of lead) event[k] = v;
    event.type = type;
    event.timestamp = ariTimestamp(this.now());
    for (const [k, v] of fields) event[k] = v;
    event.asterisk_id = this.asteriskId;
    event.application = app;
    this.deliver(app, event);
    return event;
  }

  /** Sends any JSON to every open socket (for unknown-event tests). */
  sendRaw(event: unknown): void {
    const text = JSON.stringify(event);
    for (const socket of this.sockets) if (socket.readyState === socket.OPEN) socket.send(text);
  }

  dropAll(): void {
    for (const socket of this.sockets) socket.terminate();
    this.sockets.clear();
    for (const reg of this.apps.values()) reg.socket = undefined;
  }

  private deliver(app: string, event: Record<string, unknown>): void {
    const socket = this.apps.get(app)?.socket;
    if (socket && socket.readyState === socket.OPEN) socket.send(JSON.stringify(event));
  }
}
