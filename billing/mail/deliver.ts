import type { Billing } from '../billing';
import type { Logger } from '../shared/logger';
import { orderById } from '../orders/order';
import { giftSecrets } from '../orders/reveal';
import { revealLinkSecrets } from '../orders/reveal-link';
import type { SecretBox } from '../orders/secret-box';
import type { MailMessage, MailTransport } from './mail-transport';
import type { OutboxRow } from './outbox';
import { claimDueMail, markMailAttemptFailed, markMailSent, markMailSuperseded } from './outbox';
import { giftMail, receiptMail, revealLinkMail } from './templates';
import type { RevealLink } from './templates';

export interface DeliveryPolicy {
  max_attempts: number;
  retry_base_ms: number;
  /** Cap of the exponential backoff. */
  retry_max_ms: number;
  /** How long a claimed row is reserved for one worker. */
  lease_ms: number;
  batch: number;
}

export const DEFAULT_DELIVERY: DeliveryPolicy = { max_attempts: 10, retry_base_ms: 30_000, retry_max_ms: 6 * 3600_000, lease_ms: 120_000, batch: 20 };

/** Delay before attempt n+1 after n failed attempts: base · 2^(n−1), capped. */
export const backoffMs = (p: DeliveryPolicy, failedAttempts: number): number =>
  Math.min(p.retry_max_ms, p.retry_base_ms * 2 ** Math.min(30, Math.max(0, failedAttempts - 1)));

/** An error as it may be stored: short, with digit runs and URL credentials masked. */
export function safeError(err: unknown): string {
  const e = err as { code?: unknown; responseCode?: unknown; message?: unknown };
  const text = `${typeof e?.code === 'string' ? `${e.code}: ` : ''}${typeof e?.message === 'string' ? e.message : String(err)}`;
  return text.replace(/\/\/[^/@\s]+@/g, '//[redacted]@').replace(/\d(?:[ -]?\d){11,18}/g, '[number]').slice(0, 300);
}

export interface MailRenderer {
  box: SecretBox;
  publicUrl: string;
  /** The site's support address, named in every mail and used as its Reply-To (SITE_SUPPORT_EMAIL). */
  supportEmail?: string | null;
}

/** Renders one outbox row from its order; undefined when there is nothing to send any more. */
export async function renderMail(billing: Billing, r: MailRenderer, row: OutboxRow): Promise<MailMessage | undefined> {
  const order = await orderById(billing.db, row.order_id);
  if (!order) return undefined;
  const c = { publicUrl: r.publicUrl, supportEmail: r.supportEmail ?? null };
  if (row.kind === 'receipt' || row.kind === 'reveal_link') {
    // The one-time link to a buyer's own card, as it is NOW (rotated, or gone once the card was shown).
    const s = revealLinkSecrets(r.box, order);
    const link: RevealLink | null = s?.reveal_token ? { url: `${r.publicUrl}/reveal/${s.reveal_token}`, expires_at_ms: order.reveal_expires_at_ms } : null;
    if (row.kind === 'receipt') return { ...receiptMail(order, c, link), to: row.to_address };
    return link ? { ...revealLinkMail(order, c, link), to: row.to_address } : undefined;
  }
  const s = giftSecrets(r.box, order);
  if (!s?.claim_token) return undefined;
  return { ...giftMail(order, s.number, `${r.publicUrl}/gift/${s.claim_token}`, c), to: row.to_address };
}

/**
 * One pass of the outbox: claim due rows, render and send each, record the outcome. Bounded by
 * `batch`; a failure is retried with exponential backoff up to `max_attempts`, then `failed`.
 */
export async function deliverDueMail(billing: Billing, transport: MailTransport, r: MailRenderer, p: DeliveryPolicy, logger: Logger): Promise<{ sent: number; failed: number }> {
  const now_ms = billing.clock.now().getTime();
  const rows = await billing.tx((ctx) => claimDueMail(ctx.q, now_ms, p.batch, p.lease_ms));
  let sent = 0;
  let failed = 0;
  for (const row of rows) {
    const log = logger.child({ mail_id: row.id, order_id: row.order_id, kind: row.kind });
    try {
      const msg = await renderMail(billing, r, row);
      if (!msg) {
        await billing.tx((ctx) => markMailSuperseded(ctx.q, row.id));
        log.info('mail skipped: nothing to send any more');
        continue;
      }
      const info = await transport.send(msg);
      await billing.tx((ctx) => markMailSent(ctx.q, row.id, billing.clock.now().getTime(), info.message_id));
      sent++;
      log.info('mail sent', { attempts: row.attempts + 1 });
    } catch (err) {
      failed++;
      const attempts = row.attempts + 1;
      const next = attempts >= p.max_attempts ? null : billing.clock.now().getTime() + backoffMs(p, attempts);
      const error = safeError(err);
      await billing.tx((ctx) => markMailAttemptFailed(ctx.q, row.id, error, next));
      log.warn(next === null ? 'mail failed, giving up' : 'mail failed, will retry', { attempts, error, next_attempt_at_ms: next });
    }
  }
  return { sent, failed };
}
