import { rateLimit } from 'express-rate-limit';
import type { Request, Response } from 'express';
import { sendError } from './api-error';
import { IPV6_KEY_PREFIX } from './client-ip';
import { merchantOf } from './merchant-auth';

export interface LimitWindow {
  window_ms: number;
  max: number;
}

const answer = (_req: Request, res: Response) =>
  sendError(res, 'rate_limited', 'too many requests; slow down and retry after the time in the RateLimit header');

/**
 * Request-rate limits, in memory per process (express-rate-limit's MemoryStore): with N processes
 * behind a balancer the effective limit is up to N× the figure. The correctness-bearing limits (PIN
 * failures per card and per address) live in the database and are shared.
 */
/**
 * `RateLimit-Policy` and `RateLimit` headers of the IETF draft 7 (draft 8 adds a partition key that
 * costs a SHA-256 of the client's key per request and limiter, which the profile showed).
 */
const HEADERS = 'draft-7';

export function ipLimiter(w: LimitWindow) {
  return rateLimit({
    windowMs: w.window_ms, limit: w.max, standardHeaders: HEADERS, legacyHeaders: false, ipv6Subnet: IPV6_KEY_PREFIX, handler: answer,
    // Which proxies to believe is TRUST_PROXY's call (validated at start); a client sending its own
    // X-Forwarded-For to a server that trusts no proxy is not a misconfiguration to warn about.
    validate: { xForwardedForHeader: false },
  });
}

export function merchantLimiter(w: LimitWindow) {
  return rateLimit({
    windowMs: w.window_ms, limit: w.max, standardHeaders: HEADERS, legacyHeaders: false, handler: answer,
    keyGenerator: (_req, res) => `merchant:${merchantOf(res).id}`,
  });
}
