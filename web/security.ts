import { createHmac, randomBytes } from 'node:crypto';
import cookieParser from 'cookie-parser';
import { doubleCsrf } from 'csrf-csrf';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import { IPV6_KEY_PREFIX } from '../billing/http/client-ip';

export const SESSION_COOKIE = 'sid';

/**
 * helmet with a strict CSP: the site has no scripts at all, styles only from its own file,
 * no framing. `form-action` lists the payment provider's checkout origin, because Chromium
 * applies it to the redirect that follows a form post.
 */
export function securityHeaders(formTargets: readonly string[]): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'none'"],
        'script-src': ["'none'"],
        'style-src': ["'self'"],
        'img-src': ["'self'", 'data:'],
        'font-src': ["'self'"],
        'connect-src': ["'self'"],
        'form-action': ["'self'", ...formTargets],
        'frame-ancestors': ["'none'"],
        'base-uri': ["'none'"],
      },
    },
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginEmbedderPolicy: false,
  });
}

/** Pages may show a card once: never cache any of them. */
export const noStore: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  next();
};

/**
 * A random browser session id in an httpOnly cookie: the CSRF tokens are bound to it, and an order
 * remembers its keyed hash so only the buying browser may reveal the card once. No server-side state.
 */
export function sessionCookie(secure: boolean): RequestHandler {
  return (req, res, next) => {
    let sid = typeof req.cookies?.[SESSION_COOKIE] === 'string' ? (req.cookies[SESSION_COOKIE] as string) : '';
    if (!/^[A-Za-z0-9_-]{32}$/.test(sid)) {
      sid = randomBytes(24).toString('base64url');
      res.cookie(SESSION_COOKIE, sid, { httpOnly: true, sameSite: 'lax', secure, path: '/', maxAge: 30 * 86_400_000 });
      req.cookies[SESSION_COOKIE] = sid;
    }
    next();
  };
}

export const sessionId = (req: Request): string => req.cookies[SESSION_COOKIE] as string;

export function csrf(secretKey: string, secure: boolean) {
  const secret = createHmac('sha256', secretKey).update('site-csrf').digest('base64url');
  return doubleCsrf({
    getSecret: () => secret,
    getSessionIdentifier: (req) => sessionId(req) ?? '',
    cookieName: secure ? '__Host-csrf' : 'csrf',
    cookieOptions: { sameSite: 'lax', secure, httpOnly: true, path: '/' },
    getCsrfTokenFromRequest: (req) => (typeof req.body?._csrf === 'string' ? (req.body._csrf as string) : undefined),
    errorConfig: { statusCode: 403, message: 'invalid csrf token', code: 'csrf_invalid' },
  });
}

export const cookies = (): RequestHandler => cookieParser();

/** Per-IP request limits for the forms that cost money or guess secrets (the database throttle is the shared one). */
export function formLimiter(limit: number, onLimited: (req: Request, res: Response) => void): RequestHandler {
  return rateLimit({
    windowMs: 15 * 60_000,
    limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    ipv6Subnet: IPV6_KEY_PREFIX,
    // Which proxies to believe is TRUST_PROXY's call (validated at start); a client sending its own
    // X-Forwarded-For to a server that trusts no proxy is not a misconfiguration to warn about.
    validate: { xForwardedForHeader: false },
    skip: (req) => req.method !== 'POST',
    handler: (req: Request, res: Response, _next: NextFunction) => onLimited(req, res),
  });
}
