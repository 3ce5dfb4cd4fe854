import type { Billing } from '../billing/billing';
import type { Logger } from '../billing/shared/logger';

/** The site's own settings (SITE_*, STRIPE_*, MAIL_*), parsed and validated by app/config.ts. */
export interface SiteConfig {
  readonly presetAmountsMinor: readonly number[];
  readonly minAmountMinor: number;
  readonly maxAmountMinor: number;
  /** Where buyers and recipients write for help: on every page, in every mail (and its Reply-To). */
  readonly supportEmail: string;
  /** How long the receipt's one-time link to a buyer's own card works (a new one can be mailed). */
  readonly revealLinkTtlMs: number;
  /** Stripe Checkout when STRIPE_SECRET_KEY is set, else the clearly-marked sandbox provider. */
  readonly stripe: { readonly secretKey: string; readonly webhookSecret: string; readonly apiBase: string | null } | null;
  readonly mail: { readonly pollMs: number; readonly retryBaseMs: number; readonly maxAttempts: number };
}

/** The part of the process configuration the site reads. */
export interface SiteSettings {
  /** The mail outbox writes `.eml` files to DATA_DIR/outbox when no SMTP_URL is set. */
  readonly dataDir: string;
  readonly smtpUrl: string | null;
  readonly mailFrom: string;
  readonly publicUrl: string;
  readonly secretKey: string;
  readonly defaultCurrency: string;
  readonly site: SiteConfig;
}

/** What the site is built from; the composition root (app/) builds it. */
export interface SiteDeps {
  config: SiteSettings;
  billing: Billing;
  logger: Logger;
  /** The sandbox phone answers at /phone (no real Asterisk configured): the pages link to it. */
  phone: boolean;
}
