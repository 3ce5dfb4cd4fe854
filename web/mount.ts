import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import type { ErrorRequestHandler, Express, RequestHandler } from 'express';
import { SecretBox } from '../billing/orders/secret-box';
import type { BackgroundTask } from '../billing/shared/background-task';
import { EmlFileTransport, SmtpTransport } from './mail/nodemailer-transport';
import { createOutboxTask } from './mail/outbox-task';
import { SandboxProvider } from './payments/sandbox-provider';
import { StripeProvider } from './payments/stripe-provider';
import { balanceRoutes } from './routes/balance-routes';
import { buyRoutes } from './routes/buy-routes';
import { giftRoutes } from './routes/gift-routes';
import { orderRoutes } from './routes/order-routes';
import { rechargeRoutes } from './routes/recharge-routes';
import { revealRoutes } from './routes/reveal-routes';
import { sandboxRoutes } from './routes/sandbox-routes';
import { stripeWebhookRoute } from './routes/stripe-webhook';
import { cookies, csrf, formLimiter, noStore, securityHeaders, sessionCookie } from './security';
import type { SiteContext, SiteProvider } from './site-context';
import type { SiteDeps } from './site-deps';
import { render } from './site-context';
import { messageView } from './views/message';

const PUBLIC_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'public');

/** Paths the site answers; its middleware (headers, cookies, body parsing) touches nothing else. */
const SITE_PATH = /^\/(|buy|recharge|balance|orders\/.*|gift\/.*|reveal\/.*|sandbox-pay\/.*|assets\/.*|webhooks\/stripe)$/;

/**
 * Mounts the cyber card site at / and returns its background task (the mail outbox).
 * Payments: Stripe Checkout when STRIPE_SECRET_KEY is set, else the sandbox provider.
 * Mail: SMTP_URL through nodemailer, else .eml files in DATA_DIR/outbox.
 */
export function mountSite(app: Express, deps: SiteDeps): BackgroundTask[] {
  const { config, billing, logger } = deps;
  const log = logger.child({ component: 'site' });
  const secure = config.publicUrl.startsWith('https:');
  const stripe = config.site.stripe ? new StripeProvider(config.site.stripe) : null;
  const provider: SiteProvider = stripe ?? new SandboxProvider(billing);
  const box = new SecretBox(config.secretKey);
  const transport = config.smtpUrl ? new SmtpTransport(config.smtpUrl, config.mailFrom) : new EmlFileTransport(path.join(config.dataDir, 'outbox'), config.mailFrom);
  const outbox = createOutboxTask(billing, transport, { box, publicUrl: config.publicUrl, supportEmail: config.site.supportEmail }, log, {
    poll_ms: config.site.mail.pollMs, retry_base_ms: config.site.mail.retryBaseMs, max_attempts: config.site.mail.maxAttempts,
  });
  const { generateCsrfToken, doubleCsrfProtection } = csrf(config.secretKey, secure);
  const site: SiteContext = { config, billing, logger: log, phone: deps.phone, provider, box, outbox, csrfToken: (req, res) => generateCsrfToken(req, res) };

  const onlySite = (mw: RequestHandler): RequestHandler => (req, res, next) => (SITE_PATH.test(req.path) ? mw(req, res, next) : next());
  // Case-sensitive and strict, like SITE_PATH: `/Gift/…` or `/balance/` must not reach a route
  // without the middleware (CSRF, CSP, no-store) that SITE_PATH scopes to the canonical paths.
  const router = express.Router({ caseSensitive: true, strict: true });
  const headers = securityHeaders(provider.checkoutOrigins);
  router.use(onlySite(headers));
  router.use(onlySite(noStore));
  router.use('/assets', express.static(PUBLIC_DIR, { maxAge: '1h', index: false, fallthrough: false }));
  if (stripe) stripeWebhookRoute(site, stripe, router); // raw body, its own signature check: before the form parsers and CSRF
  router.use(onlySite(cookies()));
  router.use(onlySite(sessionCookie(secure)));
  router.use(onlySite(express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 50 })));
  router.use(onlySite(doubleCsrfProtection));

  const limited = (req: express.Request, res: express.Response) =>
    render(site, res, 429, 'Too many requests', messageView({ title: 'Too many requests', text: 'You sent this form too often. Wait a few minutes and try again.', link: { href: req.path, label: 'Back' } }));
  router.use(['/buy', '/recharge'], formLimiter(60, limited));
  router.use(['/balance', '/gift', '/reveal'], formLimiter(30, limited));
  router.use('/sandbox-pay', formLimiter(60, limited));

  buyRoutes(site, router);
  orderRoutes(site, router);
  rechargeRoutes(site, router);
  balanceRoutes(site, router);
  giftRoutes(site, router);
  revealRoutes(site, router);
  if (!stripe) sandboxRoutes(site, router);

  const notFound = (res: express.Response) =>
    render(site, res, 404, 'Page not found', messageView({ title: 'Page not found', text: 'There is no page at this address. Check the link, or start again from the home page.', link: { href: '/', label: 'Home' } }));
  // Last: whatever no route of the process answered (the API's /v1 answers its own JSON 404 first)
  // gets a page in the site's layout, with the site's headers, instead of Express's bare "Cannot GET".
  // The site is mounted last in the process for this reason.
  router.use(headers, noStore, (_req, res) => notFound(res));

  const onError: ErrorRequestHandler = (err: unknown, req, res, next) => {
    if (res.headersSent || !SITE_PATH.test(req.path)) return next(err);
    const e = err as { code?: unknown; status?: unknown };
    if (e?.code === 'csrf_invalid') {
      render(site, res, 403, 'Form expired', messageView({ title: 'This form has expired', text: 'For your security each form works once, in the browser that opened it. Go back, reload the page and try again.', link: { href: req.path, label: 'Reload the form' } }));
      return;
    }
    if (e?.status === 404) return notFound(res);
    if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
      render(site, res, e.status, 'Request not understood', messageView({ title: 'We could not read this request', text: 'Go back, reload the page and try again.', link: { href: '/', label: 'Home' } }));
      return;
    }
    log.error('site request failed', { err, method: req.method, route: req.route?.path ?? null });
    render(site, res, 500, 'Something went wrong', messageView({ title: 'Something went wrong', text: 'We could not complete this request. Nothing was charged twice; please try again in a moment.', link: { href: '/', label: 'Home' } }));
  };
  router.use(onError);
  app.use(router);
  return [outbox];
}
