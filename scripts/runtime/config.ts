import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { generateSecretKey } from '../../billing/cards/secrets';
import { isCurrency } from '../../billing/money/currency';

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
  TRUNK_ENDPOINT: z.string().regex(/\{number\}/, 'must contain {number}, e.g. PJSIP/{number}@trunk').default('PJSIP/{number}@trunk'),
  SMTP_URL: z.string().regex(/^smtps?:\/\/.+/, 'must be smtp://… or smtps://…').optional(),
  MAIL_FROM: z.string().default('Prepaid Cards <no-reply@prepaid.local>'),
  PUBLIC_URL: z.url().optional(),
  SECRET_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  DEFAULT_CURRENCY: z.string().refine(isCurrency, 'must be an ISO 4217 currency code such as USD').default('USD'),
  LOG_LEVEL: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
});

export interface Config {
  readonly dataDir: string;
  readonly databaseUrl: string;
  readonly port: number;
  readonly host: string;
  readonly ari: { readonly url: string; readonly username: string; readonly password: string; readonly app: string } | null;
  readonly trunkEndpoint: string;
  readonly smtpUrl: string | null;
  readonly mailFrom: string;
  readonly publicUrl: string;
  readonly secretKey: string;
  readonly defaultCurrency: string;
  readonly logLevel: 'error' | 'warn' | 'info' | 'debug';
  /** True for the embedded default: SQLite in DATA_DIR, secret generated there, built-in telephony sandbox. */
  readonly embedded: boolean;
}

export class ConfigError extends Error {}

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
    ari: e.ARI_URL ? Object.freeze({ url: e.ARI_URL, username: e.ARI_USERNAME, password: e.ARI_PASSWORD, app: e.ARI_APP }) : null,
    trunkEndpoint: e.TRUNK_ENDPOINT,
    smtpUrl: e.SMTP_URL ?? null,
    mailFrom: e.MAIL_FROM,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    secretKey,
    defaultCurrency: e.DEFAULT_CURRENCY,
    logLevel: e.LOG_LEVEL,
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
