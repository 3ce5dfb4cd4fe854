import type net from 'node:net';
import { frame } from './framing';
import { uuid } from './ids';

/** One srf application connected to the double's admin port. */
export class AppLink {
  authenticated = false;
  alive = true;
  /** Verbs this app asked for (`route|invite`), lower case. */
  readonly routes = new Set<string>();

  constructor(
    readonly id: number,
    readonly socket: net.Socket,
    private readonly record: (dir: 'server->srf', conn: number, raw: string) => void,
  ) {}

  /** Sends one framed message with a fresh message id; returns the whole payload. */
  send(body: string): string {
    const payload = `${uuid()}|${body}`;
    if (!this.alive || this.socket.destroyed) return payload;
    this.record('server->srf', this.id, payload);
    this.socket.write(frame(payload));
    return payload;
  }

  /** `response|<srf id>|…`: the answer to one srf message. */
  reply(inReplyTo: string, rest: string): void {
    this.send(`response|${inReplyTo}|${rest}`);
  }
}
