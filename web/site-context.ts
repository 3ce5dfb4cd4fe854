import type { Request, Response } from 'express';
import type { Billing } from '../billing/billing';
import { fulfilOrder } from '../billing/orders/fulfil';
import type { SecretBox } from '../billing/orders/secret-box';
import type { PaymentProvider, PaymentStatus } from '../billing/payments/payment-provider';
import { idPattern } from '../billing/shared/ids';
import type { Logger } from '../billing/shared/logger';
import type { OutboxTask } from './mail/outbox-task';
import { page } from './views/layout';
import type { PageOptions } from './views/layout';
import type { SafeHtml } from './html';
import { sessionId } from './security';
import type { SiteSettings } from './site-deps';

export type SiteProvider = PaymentProvider & { readonly checkoutOrigins: readonly string[] };

/** Everything the site's routes share, built once in web/mount.ts. */
export interface SiteContext {
  config: SiteSettings;
  billing: Billing;
  logger: Logger;
  /** The pages link to the sandbox phone at /phone. */
  phone: boolean;
  provider: SiteProvider;
  box: SecretBox;
  outbox: OutboxTask;
  csrfToken(req: Request, res: Response): string;
}

export function render(site: SiteContext, res: Response, status: number, title: string, body: SafeHtml, nav?: PageOptions['nav']): void {
  res.status(status).type('html').send(page({ title, body, sandbox: site.provider.sandbox, nav, phone: site.phone, support: site.config.site.supportEmail }));
}

/** The keyed hash of this browser's session id, as stored on its orders. */
export const sessionHash = (site: SiteContext, req: Request): string => site.billing.hasher.token('site-session', sessionId(req));

/** Strings of a urlencoded body, for re-filling a form (secrets are never echoed back). */
export function formValues(body: unknown, omit: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  if (body && typeof body === 'object') {
    for (const [k, v] of Object.entries(body)) if (typeof v === 'string' && k !== '_csrf' && !omit.includes(k)) out[k] = v.slice(0, 600);
  }
  return out;
}

export const ORDER_ID = idPattern('ord');

/**
 * Applies a payment the provider confirmed to its order (exactly once, whoever calls first:
 * the return redirect, the webhook, the sandbox page). Returns whether this call applied it.
 */
export async function applyPayment(site: SiteContext, status: PaymentStatus): Promise<boolean> {
  if (!status.paid || !status.payment_id || !status.order_id) return false;
  const r = await site.billing.tx((ctx) => fulfilOrder(ctx, site.box, {
    order_id: status.order_id!, provider: site.provider.name, payment_id: status.payment_id!, amount_minor: status.amount_minor, currency: status.currency,
  }, { reveal_link_ttl_ms: site.config.site.revealLinkTtlMs }));
  const log = site.logger.child({ order_id: status.order_id, payment_id: status.payment_id });
  if (!r.ok) {
    log.warn('payment not applied', { code: r.error.code, reason: r.error.message });
    return false;
  }
  if (r.value.applied_now) {
    log.info('order fulfilled', { kind: r.value.order.kind, status: r.value.order.status, amount_minor: r.value.order.amount_minor, currency: r.value.order.currency });
    site.outbox.wake();
  }
  return r.value.applied_now;
}
