import type { NextFunction, Request, Response } from 'express';
import type { Billing } from '../billing';
import { merchantByApiKey } from '../merchants/merchants';
import type { Merchant } from '../merchants/merchants';
import { sendError } from './api-error';
import { localsOf } from './request-context';

/**
 * `Authorization: Bearer <merchant API key>`. Lookups are cached in-process for `ttl_ms`
 * (default 5 s) keyed by the keyed hash of the key, never the key itself: a revoked or rotated key
 * stops working in every process within that time. Misses (unknown keys) are not cached.
 */
export function merchantAuth(billing: Billing, ttl_ms: number) {
  const cache = new Map<string, { merchant: Merchant; until_ms: number }>();
  const MAX_ENTRIES = 10_000;
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const header = req.get('authorization') ?? '';
    const m = /^Bearer\s+(\S{1,200})$/i.exec(header);
    if (!m || !m[1]) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="settlement"');
      return sendError(res, 'unauthorized', 'send your API key as "Authorization: Bearer sk_…"');
    }
    const key = m[1];
    const now = Date.now();
    const hash = billing.hasher.apiKey(key);
    let hit = cache.get(hash);
    if (!hit || hit.until_ms <= now) {
      cache.delete(hash);
      const merchant = await merchantByApiKey(billing.read(), key);
      if (!merchant) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="settlement", error="invalid_token"');
        return sendError(res, 'unauthorized', 'the API key is not valid');
      }
      if (cache.size >= MAX_ENTRIES) cache.clear();
      hit = { merchant, until_ms: now + ttl_ms };
      if (ttl_ms > 0) cache.set(hash, hit);
    }
    res.locals.merchant = hit.merchant;
    localsOf(res).merchant_id = hit.merchant.id;
    next();
  };
}

export const merchantOf = (res: Response): Merchant => res.locals.merchant as Merchant;
