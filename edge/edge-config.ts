import net from 'node:net';

/** One Asterisk server behind the edge: where inbound calls go, and a source outbound INVITEs may come from. */
export interface AsteriskNode {
  host: string;
  port: number;
  /** Relative capacity (1–100): a weight-2 node takes twice the calls of a weight-1 node. */
  weight: number;
}

export interface EdgeConfig {
  readonly drachtio: { readonly host: string; readonly port: number; readonly secret: string };
  readonly nodes: readonly AsteriskNode[];
  /** Request-URI users accepted on inbound calls (the access numbers); empty = any. */
  readonly accessNumbers: readonly string[];
  readonly outbound: {
    /** A carrier that shows no progress (180/183) this long after the INVITE is abandoned for the next one. */
    readonly attemptTimeout_ms: number;
    /** Bound on ringing once a carrier shows progress (Asterisk's own Dial timeout normally ends it first). */
    readonly ringTimeout_ms: number;
    /** Bound on carriers tried per call. */
    readonly maxAttempts: number;
  };
  readonly inbound: {
    /** Calls per second and concurrent calls over all carriers; null = unlimited. */
    readonly cps: number | null;
    readonly maxConcurrent: number | null;
    /** The same, per carrier (source); a carrier's own cps / max_concurrent apply when lower. */
    readonly perSourceCps: number | null;
    readonly perSourceConcurrent: number | null;
    /** Retry-After (seconds) on a 503 for being over a limit. */
    readonly retryAfter_s: number;
    /** A node that shows no progress this long is abandoned for the next one. */
    readonly attemptTimeout_ms: number;
  };
  readonly health: {
    /** OPTIONS to every node this often. */
    readonly interval_ms: number;
    /** An OPTIONS unanswered this long counts as a failure. */
    readonly timeout_ms: number;
    /** Consecutive failures that take a node out, and successes that bring it back. */
    readonly failuresToDown: number;
    readonly successesToUp: number;
  };
  /** Reconnection to drachtio-server: srf's backoff (×1.7 from 150 ms), capped here. */
  readonly reconnectMaxDelay_ms: number;
  /** How often the carriers' sources are re-read from the database. */
  readonly carriersRefresh_ms: number;
}

export const EDGE_DEFAULTS = {
  outbound: { attemptTimeout_ms: 8_000, ringTimeout_ms: 120_000, maxAttempts: 5 },
  inbound: { cps: null, maxConcurrent: null, perSourceCps: null, perSourceConcurrent: null, retryAfter_s: 5, attemptTimeout_ms: 5_000 },
  health: { interval_ms: 2_000, timeout_ms: 1_500, failuresToDown: 2, successesToUp: 1 },
  reconnectMaxDelay_ms: 5_000,
  carriersRefresh_ms: 30_000,
} as const;

export const MAX_NODES = 64;

/**
 * Parses `EDGE_ASTERISK_NODES`: comma-separated `host[:port][;weight=N]` (IPv6 in brackets), e.g.
 * `10.0.0.5:5060;weight=2,10.0.0.6`. Throws an Error naming the bad entry.
 */
export function parseNodeList(text: string): AsteriskNode[] {
  const entries = text.split(',').map((e) => e.trim()).filter((e) => e !== '');
  if (entries.length === 0) throw new Error('must list at least one Asterisk node, e.g. 10.0.0.5:5060;weight=2');
  if (entries.length > MAX_NODES) throw new Error(`at most ${MAX_NODES} nodes`);
  const seen = new Set<string>();
  return entries.map((entry) => {
    const [hostPort = '', ...params] = entry.split(';');
    const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/.exec(hostPort);
    const host = m?.[1] ?? m?.[2];
    if (!m || !host || net.isIP(host) === 0) throw new Error(`"${entry}": expected an IP address with an optional :port, e.g. 10.0.0.5:5060`);
    const port = m[3] ? Number(m[3]) : 5060;
    if (port < 1 || port > 65535) throw new Error(`"${entry}": port must be 1-65535`);
    let weight = 1;
    for (const p of params) {
      const w = /^weight=(\d{1,3})$/.exec(p.trim());
      if (!w || Number(w[1]) < 1 || Number(w[1]) > 100) throw new Error(`"${entry}": expected ;weight=N with N from 1 to 100`);
      weight = Number(w[1]);
    }
    const key = `${host.toLowerCase()}:${port}`;
    if (seen.has(key)) throw new Error(`"${entry}": listed twice`);
    seen.add(key);
    return { host: host.toLowerCase(), port, weight };
  });
}

export const nodeName = (n: Pick<AsteriskNode, 'host' | 'port'>): string => (n.host.includes(':') ? `[${n.host}]:${n.port}` : `${n.host}:${n.port}`);
