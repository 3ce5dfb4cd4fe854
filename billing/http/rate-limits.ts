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
export function ipLimiter(w: LimitWindow) {
  return rateLimit({
    windowMs: w.window_ms, limit: w.max, standardHeaders: 'draft-8', legacyHeaders: false, ipv6Subnet: IPV6_KEY_PREFIX, handler: answer,
    // Which proxies to believe is TRUST_PROXY's call (validated at start); a client sending its own
    // X-Forwarded-For to a server that trusts no proxy is not a misconfiguration to warn about.
    validate: { xForwardedForHeader: false },
  });
}

export function merchantLimiter(w: LimitWindow) {
  return rateLimit({
    windowMs: w.window_ms, limit: w.max, standardHeaders: 'draft-8', legacyHeaders: false, handler: answer,
    keyGenerator: (_req, res) => `merchant:${merchantOf(res).id}`,
  });
}
