import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import type { NextFunction, Request, Response, Router } from 'express';
import { rateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import { z } from 'zod';
import { promptFilePath } from '../../ivr/prompts/sound-files';
import { page } from '../../web/views/layout';
import { readDemo } from '../demo/demo-info';
import type { SandboxDeps } from '../sandbox-deps';
import type { PhoneRegistry } from './phone-registry';
import { PhoneLimitError } from './phone-registry';
import { promptRef } from './prompt-media';
import { phoneView, SANDBOX_ACCESS_NUMBER } from './phone-view';

const PUBLIC_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'public');
const SSE_HEARTBEAT_MS = 15_000;
/** An ended call's stream is closed this long after its last event (the browser closes it first). */
const SSE_LINGER_MS = 10_000;

const PlaceCall = z.object({ caller_number: z.string().regex(/^\+?[0-9]{3,15}$/, 'a phone number: 3 to 15 digits, optionally with +') }).strict();
const Digits = z.object({ digits: z.string().regex(/^[0-9*#]{1,40}$/, '1 to 40 of 0-9 * #') }).strict();
const CallId = z.string().regex(/^[A-Za-z0-9_-]{24}$/);

/**
 * The sandbox phone's own headers: the site's strict CSP, except that scripts and media come from this site
 * (one static file, no inline script), and connections (fetch, EventSource) go back to it.
 */
const phoneHeaders = helmet({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      'default-src': ["'none'"],
      'script-src': ["'self'"],
      'style-src': ["'self'"],
      'img-src': ["'self'", 'data:'],
      'media-src': ["'self'"],
      'connect-src': ["'self'"],
      'form-action': ["'self'"],
      'frame-ancestors': ["'none'"],
      'base-uri': ["'none'"],
    },
  },
  referrerPolicy: { policy: 'no-referrer' },
  crossOriginEmbedderPolicy: false,
});

/** Actions are JSON POSTs from this page: a cross-site form cannot send them (content type), nor a cross-site fetch. */
function sameOriginJson(req: Request, res: Response, next: NextFunction): void {
  const site = req.get('sec-fetch-site');
  const origin = req.get('origin');
  const host = req.get('host');
  const crossSite = (site !== undefined && site !== 'same-origin' && site !== 'none') || (origin !== undefined && host !== undefined && new URL(origin).host !== host);
  if (crossSite || !req.is('application/json')) {
    res.status(403).json({ error: { code: 'forbidden', message: 'sandbox phone actions come from its own page' } });
    return;
  }
  next();
}

const badRequest = (res: Response, message: string) => res.status(400).json({ error: { code: 'validation_error', message } });

export function phoneRoutes(deps: SandboxDeps, registry: PhoneRegistry): Router {
  const router = express.Router();
  router.use(phoneHeaders);
  router.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });

  router.get('/', async (req, res, next) => {
    try {
      const demo = await readDemo(deps.config, deps.billing);
      // The example curl points where this page was loaded from (PUBLIC_URL may name another host or port 0).
      const here = `${req.protocol}://${req.get('host') ?? new URL(deps.config.publicUrl).host}`;
      res.type('html').send(page({ title: 'Sandbox phone', sandbox: false, nav: 'phone', phone: true, body: phoneView({ demo, publicUrl: here, currency: deps.config.defaultCurrency }) }));
    } catch (err) {
      next(err);
    }
  });

  router.use('/assets', (_req, res, next) => {
    res.setHeader('Cache-Control', 'public, max-age=300');
    next();
  }, express.static(PUBLIC_DIR, { index: false, fallthrough: false, cacheControl: false }));

  // Only catalogue languages and prompt ids: the file path is built from validated values, never from the URL.
  router.get('/sounds/:lang/:file', (req, res) => {
    const m = /^([a-z0-9_]{1,64})\.wav$/.exec(req.params.file);
    const ref = m ? promptRef(req.params.lang, m[1]!) : undefined;
    if (!ref) {
      res.status(404).type('text').send('no such prompt');
      return;
    }
    res.setHeader('Cache-Control', 'public, max-age=3600');
    res.sendFile(promptFilePath(ref.lang, ref.id), { headers: { 'Content-Type': 'audio/wav' } }, (err) => {
      if (err && !res.headersSent) res.status(404).type('text').send('no such prompt');
    });
  });

  const json = express.json({ limit: '1kb', type: 'application/json' });
  const placeLimiter = rateLimit({ windowMs: 5 * 60_000, limit: 30, standardHeaders: 'draft-8', legacyHeaders: false, message: { error: { code: 'rate_limited', message: 'too many sandbox calls; wait a few minutes' } } });
  const keyLimiter = rateLimit({ windowMs: 60_000, limit: 600, standardHeaders: 'draft-8', legacyHeaders: false, message: { error: { code: 'rate_limited', message: 'too many keypad requests' } } });

  router.post('/calls', placeLimiter, sameOriginJson, json, (req, res) => {
    const body = PlaceCall.safeParse(req.body);
    if (!body.success) return void badRequest(res, body.error.issues[0]?.message ?? 'invalid request');
    try {
      const call = registry.place(body.data.caller_number, SANDBOX_ACCESS_NUMBER);
      res.status(201).json({ id: call.id, events: `/phone/calls/${call.id}/events` });
    } catch (err) {
      if (err instanceof PhoneLimitError) return void res.status(429).json({ error: { code: 'rate_limited', message: err.message } });
      // e.g. the IVR has not registered its Stasis app with the simulator (yet)
      deps.logger.warn('sandbox call could not be placed', { err });
      res.status(503).json({ error: { code: 'unavailable', message: 'the sandbox IVR is not ready; try again in a moment' } });
    }
  });

  const callOf = (req: Request, res: Response) => {
    const id = CallId.safeParse(req.params.id);
    const call = id.success ? registry.get(id.data) : undefined;
    if (!call) res.status(404).json({ error: { code: 'not_found', message: 'no such call' } });
    return call;
  };

  router.post('/calls/:id/digits', keyLimiter, sameOriginJson, json, (req, res) => {
    const call = callOf(req, res);
    if (!call) return;
    const body = Digits.safeParse(req.body);
    if (!body.success) return void badRequest(res, body.error.issues[0]?.message ?? 'invalid request');
    if (call.state === 'ended') return void res.status(409).json({ error: { code: 'invalid_state', message: 'the call has ended' } });
    if (!call.sendDigits(body.data.digits)) return void res.status(429).json({ error: { code: 'rate_limited', message: 'too many keypad digits are waiting to be played' } });
    res.status(202).json({ accepted: body.data.digits.length });
  });

  router.post('/calls/:id/hangup', sameOriginJson, (req, res) => {
    const call = callOf(req, res);
    if (!call) return;
    call.hangup();
    res.status(202).json({ state: 'hanging-up' });
  });

  router.get('/calls/:id/events', (req, res) => {
    const call = callOf(req, res);
    if (!call) return;
    const after = Number(req.get('last-event-id') ?? '0');
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    res.write('retry: 2000\n\n');
    let linger: NodeJS.Timeout | undefined;
    const unsubscribe = call.listen(Number.isSafeInteger(after) && after > 0 ? after : 0, (seq, e) => {
      res.write(`id: ${seq}\ndata: ${JSON.stringify(e)}\n\n`);
      if (e.type === 'ended' || (call.state === 'ended' && linger === undefined)) {
        linger ??= setTimeout(() => res.end(), SSE_LINGER_MS);
      }
    });
    if (!unsubscribe) {
      res.end();
      return;
    }
    const heartbeat = setInterval(() => res.write(': ping\n\n'), SSE_HEARTBEAT_MS);
    req.on('close', () => {
      clearInterval(heartbeat);
      if (linger) clearTimeout(linger);
      unsubscribe();
    });
  });

  return router;
}
