/**
 * The SIP side of the double: an in-process, lossless "UDP" network between the server and the scripted
 * peers. Any address can be used (a carrier at 203.0.113.7:5060, an Asterisk node at 10.0.0.5:5060), so
 * source-address rules can be tested on one machine. Delivery is asynchronous (next turn of the event loop),
 * like a datagram. Sending to an address nobody listens on reports "port unreachable" to the sender,
 * as the kernel's ICMP answer did in 08a; a peer that `drops` packets is a host that never answers.
 */

export interface Address { host: string; port: number }

export const addressKey = (a: Address): string => (a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`);

export type Datagram = Buffer | string;

export interface Endpoint {
  address: Address;
  /** Called with each datagram addressed to this endpoint. */
  receive(data: Buffer, from: Address): void;
}

export interface TracedPacket {
  t_ms: number;
  from: Address;
  to: Address;
  /** The first line of the datagram (the SIP start line), or `(binary)`. */
  first_line: string;
  text: string;
  delivered: boolean;
}

export class SipNetwork {
  private readonly endpoints = new Map<string, Endpoint>();
  /** Every datagram sent, in order: what went "on the wire". */
  readonly trace: TracedPacket[] = [];
  private readonly started = Date.now();
  /** Latency of a datagram, in ms (0 = next turn of the event loop). */
  latency_ms = 0;
  /** Keep `trace` (off for benches: it holds every packet). */
  tracing = true;

  bind(endpoint: Endpoint): () => void {
    const key = addressKey(endpoint.address);
    if (this.endpoints.has(key)) throw new Error(`address in use: ${key}`);
    this.endpoints.set(key, endpoint);
    return () => { if (this.endpoints.get(key) === endpoint) this.endpoints.delete(key); };
  }

  isBound(a: Address): boolean {
    return this.endpoints.has(addressKey(a));
  }

  /**
   * Sends one datagram. Returns false (and calls `onUnreachable` on a later turn) when nothing is bound at
   * `to`: the ICMP port-unreachable of a real network.
   */
  send(from: Address, to: Address, data: Datagram, onUnreachable?: () => void): boolean {
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    const text = buf.toString('utf8');
    const printable = /^[\x20-\x7e]/.test(text);
    const target = this.endpoints.get(addressKey(to));
    if (this.tracing) this.trace.push({ t_ms: Date.now() - this.started, from, to, first_line: printable ? (text.split('\r\n')[0] ?? '') : '(binary)', text, delivered: !!target });
    const deliver = () => {
      const now = this.endpoints.get(addressKey(to));
      if (now) now.receive(buf, from);
      else onUnreachable?.();
    };
    if (this.latency_ms > 0) setTimeout(deliver, this.latency_ms);
    else setImmediate(deliver);
    return !!target;
  }
}
