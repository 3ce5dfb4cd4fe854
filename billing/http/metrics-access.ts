import { createHash, timingSafeEqual } from 'node:crypto';
import net from 'node:net';
import type { RequestHandler } from 'express';
import { sendError } from './api-error';

/**
 * Who may read /metrics (Prometheus): clients whose address (req.ip, so behind a trusted proxy the
 * address it forwards) is in the allow-list, or any client presenting `Authorization: Bearer
 * <token>` when a token is configured. Everyone else gets 401. Default: loopback only, no token.
 */
export interface MetricsAccess {
  /** Addresses and CIDR networks, IPv4 and IPv6 (`127.0.0.0/8`, `::1`, `10.1.0.0/16`). Empty = none. */
  allow: readonly string[];
  /** Bearer token of the scraper; null = no token accepted. */
  token: string | null;
}

export const LOOPBACK_ONLY: readonly string[] = Object.freeze(['127.0.0.0/8', '::1/128']);
export const DEFAULT_METRICS_ACCESS: MetricsAccess = Object.freeze({ allow: LOOPBACK_ONLY, token: null });

/**
 * One address or CIDR network into `list`; throws a RangeError that says what is wrong. A plain
 * address is its own network (/32, /128).
 */
function addEntry(list: net.BlockList, entry: string): void {
  const [address = '', prefixText, ...rest] = entry.split('/');
  const family = net.isIP(address);
  if (family === 0 || rest.length > 0) throw new RangeError(`"${entry}" is not an IP address or CIDR network`);
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (prefixText === undefined) {
    list.addAddress(address, type);
    return;
  }
  const max = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) throw new RangeError(`"${entry}": the prefix length must be 0 to ${max}`);
  list.addSubnet(address, Number(prefixText), type);
}

/** Compiles an allow-list (Node's net.BlockList does the CIDR matching); throws on a bad entry. */
export function compileAllowList(entries: readonly string[]): net.BlockList {
  const list = new net.BlockList();
  for (const e of entries) addEntry(list, e);
  return list;
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** The /metrics guard. */
export function metricsGuard(access: MetricsAccess): RequestHandler {
  const allowed = compileAllowList(access.allow);
  const tokenDigest = access.token === null ? null : digest(access.token);
  return (req, res, next) => {
    const ip = req.ip ?? '';
    const family = net.isIP(ip);
    if (family !== 0 && allowed.check(ip, family === 4 ? 'ipv4' : 'ipv6')) return next();
    const m = /^Bearer ([\x21-\x7E]+)$/.exec(req.get('authorization') ?? '');
    if (tokenDigest && m && timingSafeEqual(digest(m[1]!), tokenDigest)) return next();
    if (tokenDigest) res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
    sendError(res, 'unauthorized', 'metrics are served only to allowed addresses or with the metrics token');
  };
}
