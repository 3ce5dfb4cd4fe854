import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isSupportedCountry } from 'libphonenumber-js';
import type { CountryCode } from 'libphonenumber-js';
import express from 'express';
import { z } from 'zod';
import { generateSecretKey } from '../billing/cards/secrets';
import { compileAllowList, LOOPBACK_ONLY } from '../billing/http/metrics-access';
import type { MetricsAccess } from '../billing/http/metrics-access';
import type { BillingPolicy } from '../billing/shared/context';
import { isCurrency } from '../billing/money/currency';
import { parseDecimal } from '../billing/money/money';
import type { SiteConfig } from '../web/site-deps';
import type { EdgeConfig } from '../edge/edge-config';
import { EDGE_DEFAULTS, parseNodeList } from '../edge/edge-config';

export type { SiteConfig };

/**
 * The product's configuration: parsed once from the environment, validated, typed and frozen,
 * then passed in. A bad value stops start-up with a message naming the variable.
 */
const schema = z.object({
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z.string().regex(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/, 'must be sqlite:<path> or postgres://…').optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  ARI_URL: z.url().optional(),
  ARI_USERNAME: z.string().default('prepaid'),
  ARI_PASSWORD: z.string().default(''),
  ARI_APP: z.string().regex(/^[A-Za-z0-9_-]+$/).default('prepaid'),
  // ARI requests the IVR has out at once, one HTTP connection each: under Asterisk's http.conf sessionlimit (100).
  ARI_MAX_REQUESTS: z.coerce.number().int().min(1).max(1000).default(50),
  TRUNK_ENDPOINT: z.string().regex(/\{number\}/, 'must contain {number}, e.g. PJSIP/{number}@trunk').default('PJSIP/{number}@trunk'),
  SMTP_URL: z.string().regex(/^smtps?:\/\/.+/, 'must be smtp://… or smtps://…').optional(),
  MAIL_FROM: z.string().default('Prepaid Cards <no-reply@prepaid.local>'),
  PUBLIC_URL: z.url().optional(),
  SECRET_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  DEFAULT_CURRENCY: z.string().refine(isCurrency, 'must be an ISO 4217 currency code such as USD').default('USD'),
  LOG_LEVEL: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
  // Cyber card site (web/): amounts are decimal strings in DEFAULT_CURRENCY.
  SITE_PRESET_AMOUNTS: z.string().regex(/^\d+(\.\d+)?(,\d+(\.\d+)?)*$/, 'must be a comma-separated list such as 10,20,50').default('10,20,50'),
  SITE_MIN_AMOUNT: z.string().regex(/^\d+(\.\d+)?$/, 'must be a decimal amount such as 5.00').default('5'),
  SITE_MAX_AMOUNT: z.string().regex(/^\d+(\.\d+)?$/, 'must be a decimal amount such as 500.00').default('500'),
  SITE_SUPPORT_EMAIL: z.email('must be an email address such as support@example.com').max(254).default('support@prepaid.local'),
  SITE_REVEAL_LINK_DAYS: z.coerce.number().int().min(1).max(90).default(7),
  STRIPE_SECRET_KEY: z.string().regex(/^(sk|rk)_[A-Za-z0-9_]+$/, 'must be a Stripe secret key (sk_…)').optional(),
  STRIPE_WEBHOOK_SECRET: z.string().regex(/^whsec_[A-Za-z0-9_]+$/, 'must be a Stripe webhook signing secret (whsec_…)').optional(),
  STRIPE_API_BASE: z.url().optional(),
  MAIL_POLL_MS: z.coerce.number().int().min(10).max(600_000).default(2000),
  MAIL_RETRY_BASE_MS: z.coerce.number().int().min(10).max(3_600_000).default(30_000),
  MAIL_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(10),
  // IVR (ivr/): languages offered (the first is the default), the country of numbers dialled without
  // an international prefix, this IVR process's id (unique per process sharing a database).
  IVR_LANGUAGES: z.string().regex(/^(en|es)(,(en|es))*$/, 'must be a comma-separated list of en, es').default('en,es'),
  IVR_DEFAULT_COUNTRY: z.string().refine((c) => isSupportedCountry(c), 'must be a two-letter country code such as US').default('US'),
  IVR_NODE_ID: z.string().regex(/^[a-z0-9]{1,7}$/, 'must be 1 to 7 of a-z, 0-9, different for every IVR process sharing a database').optional(),
  IVR_CALLER_ID: z.string().max(80).optional(),
  // The rate deck calls are rated from (decks are loaded by name with `prepaid rates import --deck`).
  RATE_DECK: z.string().trim().min(1).max(100, 'must be a deck name of 1 to 100 characters').default('default'),
  // SIP edge (edge/, --roles sip-edge): the drachtio-server admin connection and the Asterisk nodes behind it.
  DRACHTIO_HOST: z.string().min(1).default('127.0.0.1'),
  DRACHTIO_PORT: z.coerce.number().int().min(1).max(65535).default(9022),
  DRACHTIO_SECRET: z.string().min(1).max(256).optional(),
  EDGE_ASTERISK_NODES: z.string().optional(),
  EDGE_ACCESS_NUMBERS: z.string().regex(/^\+?\d{3,15}(,\+?\d{3,15})*$/, 'must be a comma-separated list of numbers such as 18005550100').optional(),
  EDGE_ATTEMPT_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(EDGE_DEFAULTS.outbound.attemptTimeout_ms),
  EDGE_RING_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(EDGE_DEFAULTS.outbound.ringTimeout_ms),
  EDGE_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(EDGE_DEFAULTS.outbound.maxAttempts),
  EDGE_INBOUND_CPS: z.coerce.number().positive().max(10_000).optional(),
  EDGE_INBOUND_MAX_CALLS: z.coerce.number().int().min(0).max(1_000_000).optional(),
  EDGE_SOURCE_CPS: z.coerce.number().positive().max(10_000).optional(),
  EDGE_SOURCE_MAX_CALLS: z.coerce.number().int().min(0).max(1_000_000).optional(),
  EDGE_RETRY_AFTER_S: z.coerce.number().int().min(1).max(3600).default(EDGE_DEFAULTS.inbound.retryAfter_s),
  EDGE_NODE_ATTEMPT_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(EDGE_DEFAULTS.inbound.attemptTimeout_ms),
  EDGE_OPTIONS_INTERVAL_MS: z.coerce.number().int().min(200).max(300_000).default(EDGE_DEFAULTS.health.interval_ms),
  EDGE_OPTIONS_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(EDGE_DEFAULTS.health.timeout_ms),
  EDGE_RECONNECT_MAX_MS: z.coerce.number().int().min(100).max(300_000).default(EDGE_DEFAULTS.reconnectMaxDelay_ms),
  // Metering chunk after a call's first (CGRateS's debit interval): the money a live call holds ahead.
  IVR_CHUNK_S: z.coerce.number().int().min(2, 'must be 2 to 3600 seconds').max(3600, 'must be 2 to 3600 seconds').default(60),
  IVR_LEASE_TTL_S: z.coerce.number().int().min(3, 'must be 3 to 600 seconds').max(600, 'must be 3 to 600 seconds').default(30),
  // Asterisk's CDR file (cdr_custom with asterisk-config/cdr_custom.conf), read by the IVR role to bill
  // calls that ended while the IVR was away.
  CDR_FILE: z.string().min(1).optional(),
  CDR_POLL_MS: z.coerce.number().int().min(100).max(600_000).default(2000),
  // Simultaneous phone calls per card (0 = no limit), enforced in the database across IVR processes.
  IVR_MAX_CALLS_PER_CARD: z.coerce.number().int().min(0).max(1000).default(1),
  // Card security (README "Card security"): PIN lockout per card, failure throttles per source and merchant.
  PIN_MAX_FAILURES: z.coerce.number().int().min(1).max(100).default(5),
  PIN_LOCK_MINUTES: z.coerce.number().int().min(1).max(7 * 1440).default(30),
  PIN_LOCK_MAX_MINUTES: z.coerce.number().int().min(1).max(365 * 1440).default(1440),
  PIN_MAX_LOCKOUTS: z.coerce.number().int().min(0).max(100).default(3),
  AUTH_SOURCE_MAX_FAILURES: z.coerce.number().int().min(1).max(100_000).default(20),
  AUTH_SOURCE_WINDOW_MINUTES: z.coerce.number().int().min(1).max(1440).default(15),
  AUTH_SOURCE_LOCK_MINUTES: z.coerce.number().int().min(1).max(7 * 1440).default(15),
  AUTH_MERCHANT_MAX_FAILURES: z.coerce.number().int().min(1).max(1_000_000).default(200),
  // Which proxies' X-Forwarded-For to believe (Express's "trust proxy" syntax), for the site's and the API's client address.
  TRUST_PROXY: z.string().min(1).default('loopback'),
  // Who may read /metrics: an allow-list of addresses/CIDRs ("none" for nobody) and/or a bearer token.
  METRICS_ALLOW: z.string().min(1).default(LOOPBACK_ONLY.join(',')),
  METRICS_TOKEN: z.string().regex(/^[\x21-\x7E]{32,200}$/, 'must be 32 to 200 printable characters without spaces (e.g. openssl rand -hex 32)').optional(),
});

export interface IvrConfig {
  readonly languages: readonly ('en' | 'es')[];
  readonly defaultCountry: CountryCode;
  /** Default: derived from the host name. A node that comes back under another id has its calls taken over once its old lease expires. */
  readonly nodeId: string;
  readonly outboundCallerId: string | null;
  /** The rate deck calls are rated from (RATE_DECK). */
  readonly rateDeck: string;
  /** Lease of the node id: renewed every third of it; once expired, live nodes take its calls over. */
  readonly leaseTtl_s: number;
  /** Metering chunk after a call's first (IVR_CHUNK_S). */
  readonly chunk_s: number;
  /** Simultaneous calls per card; 0 = no limit. */
  readonly maxCallsPerCard: number;
}

/** Asterisk's CDR file, read (resumably, a bounded chunk at a time) by the IVR role. */
export interface CdrConfig {
  readonly file: string;
  readonly pollMs: number;
}

/** The card-security part of the billing policy (README "Card security"). */
export type CardSecurityPolicy = Pick<BillingPolicy,
  'pin_max_failures' | 'pin_lock_ms' | 'pin_lock_max_ms' | 'pin_max_lockouts' |
  'source_max_failures' | 'source_window_ms' | 'source_lock_ms' | 'merchant_max_failures'>;

/** Express's "trust proxy" value: true/false, a hop count, or a comma-separated list of addresses, CIDRs and names. */
export type TrustProxy = boolean | number | string;

export interface Config {
  readonly dataDir: string;
  readonly databaseUrl: string;
  readonly port: number;
  readonly host: string;
  readonly ari: { readonly url: string; readonly username: string; readonly password: string; readonly app: string; readonly maxRequests: number } | null;
  readonly trunkEndpoint: string;
  readonly smtpUrl: string | null;
  readonly mailFrom: string;
  readonly publicUrl: string;
  readonly secretKey: string;
  readonly defaultCurrency: string;
  readonly logLevel: 'error' | 'warn' | 'info' | 'debug';
  readonly site: SiteConfig;
  readonly ivr: IvrConfig;
  /** The SIP edge; null unless DRACHTIO_SECRET and EDGE_ASTERISK_NODES are set (required by --roles sip-edge). */
  readonly edge: EdgeConfig | null;
  readonly cdr: CdrConfig | null;
  readonly cardSecurity: CardSecurityPolicy;
  readonly trustProxy: TrustProxy;
  readonly metricsAccess: MetricsAccess;
  /** True for the embedded default: SQLite in DATA_DIR, secret generated there, built-in telephony sandbox. */
  readonly embedded: boolean;
}

export class ConfigError extends Error {}

function siteConfig(e: z.infer<typeof schema>): SiteConfig {
  const bad = (name: string, why: string) => new ConfigError(`invalid configuration:\n  ${name}: ${why}`);
  const amount = (name: string, text: string): number => {
    try {
      return parseDecimal(text, e.DEFAULT_CURRENCY, name);
    } catch {
      throw bad(name, `"${text}" is not an amount in ${e.DEFAULT_CURRENCY}`);
    }
  };
  const minAmountMinor = amount('SITE_MIN_AMOUNT', e.SITE_MIN_AMOUNT);
  const maxAmountMinor = amount('SITE_MAX_AMOUNT', e.SITE_MAX_AMOUNT);
  if (minAmountMinor <= 0 || maxAmountMinor < minAmountMinor) throw bad('SITE_MAX_AMOUNT', 'must be at least SITE_MIN_AMOUNT, which must be above zero');
  const presetAmountsMinor = e.SITE_PRESET_AMOUNTS.split(',').map((t) => amount('SITE_PRESET_AMOUNTS', t));
  if (presetAmountsMinor.some((a) => a < minAmountMinor || a > maxAmountMinor)) throw bad('SITE_PRESET_AMOUNTS', 'every preset must lie between SITE_MIN_AMOUNT and SITE_MAX_AMOUNT');
  if (e.STRIPE_SECRET_KEY && !e.STRIPE_WEBHOOK_SECRET) throw bad('STRIPE_WEBHOOK_SECRET', 'required with STRIPE_SECRET_KEY (the signing secret of the webhook endpoint /webhooks/stripe)');
  return Object.freeze({
    presetAmountsMinor: Object.freeze(presetAmountsMinor),
    minAmountMinor,
    maxAmountMinor,
    supportEmail: e.SITE_SUPPORT_EMAIL,
    revealLinkTtlMs: e.SITE_REVEAL_LINK_DAYS * 86_400_000,
    stripe: e.STRIPE_SECRET_KEY && e.STRIPE_WEBHOOK_SECRET
      ? Object.freeze({ secretKey: e.STRIPE_SECRET_KEY, webhookSecret: e.STRIPE_WEBHOOK_SECRET, apiBase: e.STRIPE_API_BASE ?? null })
      : null,
    mail: Object.freeze({ pollMs: e.MAIL_POLL_MS, retryBaseMs: e.MAIL_RETRY_BASE_MS, maxAttempts: e.MAIL_MAX_ATTEMPTS }),
  });
}

function edgeConfig(e: z.infer<typeof schema>): EdgeConfig | null {
  const bad = (name: string, why: string) => new ConfigError(`invalid configuration:\n  ${name}: ${why}`);
  if (e.DRACHTIO_SECRET === undefined && e.EDGE_ASTERISK_NODES === undefined) return null;
  if (e.DRACHTIO_SECRET === undefined) throw bad('DRACHTIO_SECRET', 'required with EDGE_ASTERISK_NODES (the secret of drachtio-server\'s admin port)');
  if (e.EDGE_ASTERISK_NODES === undefined) throw bad('EDGE_ASTERISK_NODES', 'required with DRACHTIO_SECRET, e.g. 10.0.0.5:5060;weight=2,10.0.0.6');
  let nodes;
  try {
    nodes = parseNodeList(e.EDGE_ASTERISK_NODES);
  } catch (err) {
    throw bad('EDGE_ASTERISK_NODES', (err as Error).message);
  }
  if (e.EDGE_OPTIONS_TIMEOUT_MS >= e.EDGE_OPTIONS_INTERVAL_MS) throw bad('EDGE_OPTIONS_TIMEOUT_MS', 'must be shorter than EDGE_OPTIONS_INTERVAL_MS');
  return Object.freeze({
    drachtio: Object.freeze({ host: e.DRACHTIO_HOST, port: e.DRACHTIO_PORT, secret: e.DRACHTIO_SECRET }),
    nodes: Object.freeze(nodes.map((n) => Object.freeze(n))),
    accessNumbers: Object.freeze((e.EDGE_ACCESS_NUMBERS ?? '').split(',').filter(Boolean).map((n) => n.replace(/^\+/, ''))),
    outbound: Object.freeze({ attemptTimeout_ms: e.EDGE_ATTEMPT_TIMEOUT_MS, ringTimeout_ms: e.EDGE_RING_TIMEOUT_MS, maxAttempts: e.EDGE_MAX_ATTEMPTS }),
    inbound: Object.freeze({
      cps: e.EDGE_INBOUND_CPS ?? null, maxConcurrent: e.EDGE_INBOUND_MAX_CALLS ?? null,
      perSourceCps: e.EDGE_SOURCE_CPS ?? null, perSourceConcurrent: e.EDGE_SOURCE_MAX_CALLS ?? null,
      retryAfter_s: e.EDGE_RETRY_AFTER_S, attemptTimeout_ms: e.EDGE_NODE_ATTEMPT_TIMEOUT_MS,
    }),
    health: Object.freeze({ ...EDGE_DEFAULTS.health, interval_ms: e.EDGE_OPTIONS_INTERVAL_MS, timeout_ms: e.EDGE_OPTIONS_TIMEOUT_MS }),
    reconnectMaxDelay_ms: e.EDGE_RECONNECT_MAX_MS,
    carriersRefresh_ms: EDGE_DEFAULTS.carriersRefresh_ms,
  });
}

const MINUTE_MS = 60_000;

function cardSecurity(e: z.infer<typeof schema>): CardSecurityPolicy {
  if (e.PIN_LOCK_MAX_MINUTES < e.PIN_LOCK_MINUTES) throw new ConfigError('invalid configuration:\n  PIN_LOCK_MAX_MINUTES: must be at least PIN_LOCK_MINUTES (the first lockout)');
  return Object.freeze({
    pin_max_failures: e.PIN_MAX_FAILURES,
    pin_lock_ms: e.PIN_LOCK_MINUTES * MINUTE_MS,
    pin_lock_max_ms: e.PIN_LOCK_MAX_MINUTES * MINUTE_MS,
    pin_max_lockouts: e.PIN_MAX_LOCKOUTS,
    source_max_failures: e.AUTH_SOURCE_MAX_FAILURES,
    source_window_ms: e.AUTH_SOURCE_WINDOW_MINUTES * MINUTE_MS,
    source_lock_ms: e.AUTH_SOURCE_LOCK_MINUTES * MINUTE_MS,
    merchant_max_failures: e.AUTH_MERCHANT_MAX_FAILURES,
  });
}

/** TRUST_PROXY in Express's syntax, checked by Express itself (proxy-addr) so a typo stops start-up. */
function trustProxy(text: string): TrustProxy {
  const t = text.trim();
  const value: TrustProxy = t === 'true' ? true : t === 'false' ? false : /^\d+$/.test(t) ? Number(t) : t;
  try {
    express().set('trust proxy', value);
  } catch (err) {
    throw new ConfigError(`invalid configuration:\n  TRUST_PROXY: ${err instanceof Error ? err.message : String(err)} (use true, false, a hop count, or addresses/CIDRs/loopback/linklocal/uniquelocal separated by commas)`);
  }
  return value;
}

function metricsAccess(e: z.infer<typeof schema>): MetricsAccess {
  const allow = e.METRICS_ALLOW.trim() === 'none' ? [] : e.METRICS_ALLOW.split(',').map((x) => x.trim()).filter((x) => x !== '');
  try {
    compileAllowList(allow);
  } catch (err) {
    throw new ConfigError(`invalid configuration:\n  METRICS_ALLOW: ${err instanceof Error ? err.message : String(err)} (addresses or CIDRs separated by commas, or none)`);
  }
  return Object.freeze({ allow: Object.freeze(allow), token: e.METRICS_TOKEN ?? null });
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.DATA_DIR);
  const databaseUrl = e.DATABASE_URL ?? `sqlite:${path.join(dataDir, 'prepaid.db')}`;
  const embedded = databaseUrl.startsWith('sqlite:');
  // Every check that can fail runs before the embedded secret is created.
  const site = siteConfig(e);
  const checked = { cardSecurity: cardSecurity(e), trustProxy: trustProxy(e.TRUST_PROXY), metricsAccess: metricsAccess(e) };
  let secretKey = e.SECRET_KEY;
  if (!secretKey) {
    if (!embedded) throw new ConfigError('invalid configuration:\n  SECRET_KEY: required when DATABASE_URL is PostgreSQL (at least 32 characters, the same in every process)');
    secretKey = readOrCreateSecret(dataDir);
  }
  return Object.freeze({
    dataDir,
    databaseUrl,
    port: e.PORT,
    host: e.HOST,
    ari: e.ARI_URL ? Object.freeze({ url: e.ARI_URL, username: e.ARI_USERNAME, password: e.ARI_PASSWORD, app: e.ARI_APP, maxRequests: e.ARI_MAX_REQUESTS }) : null,
    trunkEndpoint: e.TRUNK_ENDPOINT,
    smtpUrl: e.SMTP_URL ?? null,
    mailFrom: e.MAIL_FROM,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    secretKey,
    defaultCurrency: e.DEFAULT_CURRENCY,
    logLevel: e.LOG_LEVEL,
    site,
    ivr: Object.freeze({
      languages: Object.freeze([...new Set(e.IVR_LANGUAGES.split(','))] as Array<'en' | 'es'>),
      defaultCountry: e.IVR_DEFAULT_COUNTRY as CountryCode,
      nodeId: e.IVR_NODE_ID ?? createHash('sha256').update(os.hostname()).digest('hex').slice(0, 7),
      outboundCallerId: e.IVR_CALLER_ID ?? null,
      rateDeck: e.RATE_DECK,
      leaseTtl_s: e.IVR_LEASE_TTL_S,
      chunk_s: e.IVR_CHUNK_S,
      maxCallsPerCard: e.IVR_MAX_CALLS_PER_CARD,
    }),
    edge: edgeConfig(e),
    cdr: e.CDR_FILE ? Object.freeze({ file: path.resolve(e.CDR_FILE), pollMs: e.CDR_POLL_MS }) : null,
    ...checked,
    embedded,
  });
}

/** The embedded default keeps a generated secret in DATA_DIR/secret.key (mode 0600). */
function readOrCreateSecret(dataDir: string): string {
  const file = path.join(dataDir, 'secret.key');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  fs.mkdirSync(dataDir, { recursive: true });
  const key = generateSecretKey();
  fs.writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  return key;
}
