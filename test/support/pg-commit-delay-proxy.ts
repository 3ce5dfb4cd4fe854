import net from 'node:net';

/**
 * A TCP proxy in front of PostgreSQL that holds back every message that ends a transaction — a
 * `COMMIT` (or `END`) query, a Sync outside an explicit transaction block (which commits the
 * implicit transaction of the statements before it), a simple query outside a block — for `delay_ms`, with everything the client
 * sends after it (order is kept). Until the proxy lets it through, the transaction is not
 * committed: its rows are invisible to every other connection. A program that answers its caller
 * before its COMMIT therefore answers while its rows are still invisible; one that waits for the
 * COMMIT never does. Server → client bytes pass untouched.
 *
 * It reads the wire protocol v3 as the client writes it: an untyped startup packet, then messages of
 * a type byte and an int32 length. Transaction blocks are tracked from the client's own `BEGIN` /
 * `COMMIT` / `ROLLBACK`: simple queries (node-postgres sends them that way), or prepared statements
 * executed in the extended protocol (the group commit's batches: billing/store/sql/pg-batch.ts), where
 * the `Execute` of a `COMMIT` is what it holds back.
 */
export class CommitDelayProxy {
  /** Transaction-ending messages held so far. */
  held = 0;
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();

  constructor(private readonly upstream: { host: string; port: number }, private readonly delay_ms: number) {
    this.server = net.createServer((client) => this.onClient(client));
  }

  async start(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const a = this.server.address();
    return typeof a === 'object' && a ? a.port : 0;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private onClient(client: net.Socket): void {
    const server = net.connect(this.upstream.port, this.upstream.host);
    for (const s of [client, server]) {
      this.sockets.add(s);
      s.on('close', () => { this.sockets.delete(s); client.destroy(); server.destroy(); });
      s.on('error', () => undefined);
    }
    server.on('data', (chunk: Buffer) => client.write(chunk));

    let pending = Buffer.alloc(0);
    let startup = true;
    let explicit = false;
    let gateUntil = 0;
    /** Prepared statements' texts by name, and the unnamed portal's statement text (what an Execute runs). */
    const statements = new Map<string, string>();
    let portal = '';
    const out: Array<{ bytes: Buffer; at: number }> = [];
    let timer: NodeJS.Timeout | undefined;
    const pump = () => {
      timer = undefined;
      const now = Date.now();
      while (out.length > 0 && out[0]!.at <= now) server.write(out.shift()!.bytes);
      if (out.length > 0) timer = setTimeout(pump, out[0]!.at - now);
    };
    const send = (bytes: Buffer, endsTransaction: boolean) => {
      if (endsTransaction) {
        this.held++;
        gateUntil = Math.max(gateUntil, Date.now() + this.delay_ms);
      }
      out.push({ bytes, at: gateUntil });
      if (!timer) pump();
    };

    client.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        if (startup) {
          if (pending.length < 8) return;
          const len = pending.readInt32BE(0);
          if (pending.length < len) return;
          const code = pending.readInt32BE(4);
          send(pending.subarray(0, len), false);
          pending = pending.subarray(len);
          // SSLRequest (80877103) and GSSENCRequest (80877104) are followed by another untyped packet.
          if (code !== 80877103 && code !== 80877104) startup = false;
          continue;
        }
        if (pending.length < 5) return;
        const len = pending.readInt32BE(1);
        if (pending.length < 1 + len) return;
        const type = String.fromCharCode(pending[0]!);
        const message = pending.subarray(0, 1 + len);
        pending = pending.subarray(1 + len);
        let ends = false;
        const control = (text: string): 'begin' | 'commit' | 'rollback' | undefined =>
          /^(BEGIN|START TRANSACTION)\b/.test(text) ? 'begin' : /^(COMMIT|END)\b/.test(text) ? 'commit' : /^ROLLBACK\b(?!\s+TO)/.test(text) ? 'rollback' : undefined;
        const [first, second] = type === 'P' || type === 'B' ? cstrings(message.subarray(5), 2) : [];
        if (type === 'Q') {
          const kind = control(message.subarray(5, message.length - 1).toString('utf8').trim().toUpperCase());
          if (kind === 'begin') explicit = true;
          else if (kind === 'commit') { explicit = false; ends = true; }
          else if (kind === 'rollback') explicit = false;
          else ends = !explicit; // a simple query outside a block is a transaction of its own
        } else if (type === 'P') {
          statements.set(first!, second!.trim().toUpperCase()); // Parse: name, text
        } else if (type === 'B') {
          portal = statements.get(second!) ?? ''; // Bind: portal, statement
        } else if (type === 'E') {
          const kind = control(portal);
          if (kind === 'begin') explicit = true;
          else if (kind === 'commit') { explicit = false; ends = true; }
          else if (kind === 'rollback') explicit = false;
        } else if (type === 'S' && !explicit) {
          ends = true; // the implicit transaction of the statements before this Sync commits here
        }
        send(message, ends);
      }
    });
  }
}

/** The first `n` NUL-terminated strings of a message body. */
function cstrings(body: Buffer, n: number): string[] {
  const out: string[] = [];
  let at = 0;
  for (let i = 0; i < n; i++) {
    const end = body.indexOf(0, at);
    if (end < 0) break;
    out.push(body.subarray(at, end).toString('utf8'));
    at = end + 1;
  }
  return out;
}
