import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Billing } from '../../billing/billing';
import { SecretHasher } from '../../billing/cards/secrets';
import type { Clock } from '../../billing/shared/clock';
import type { BillingPolicy } from '../../billing/shared/context';
import { DEFAULT_POLICY } from '../../billing/shared/context';
import type { Database } from '../../billing/store/sql/database';
import { migrate, openDatabase } from '../../billing/store/sql/open';

/**
 * Fresh databases for tests: a new SQLite file, or a new PostgreSQL database cloned from a migrated
 * template (Unleash-style). PostgreSQL is at PG_TEST_URL (default postgres://postgres@127.0.0.1:5432/postgres).
 * Under CI=true a missing PostgreSQL fails; locally the PostgreSQL half skips, saying why.
 */
export const PG_ADMIN_URL = process.env.PG_TEST_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_SECRET = 'test-secret-key-0123456789abcdef0123456789';

export type Kind = 'sqlite' | 'pg';
export const KINDS: Kind[] = ['sqlite', 'pg'];

let pgAvailable: Promise<boolean> | undefined;
export function postgresAvailable(): Promise<boolean> {
  pgAvailable ??= (async () => {
    const c = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
    try {
      await c.connect();
      await c.query('SELECT 1');
      return true;
    } catch {
      return false;
    } finally {
      await c.end().catch(() => undefined);
    }
  })();
  return pgAvailable;
}

function withDb(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

let template: Promise<string> | undefined;
async function pgTemplate(): Promise<string> {
  template ??= (async () => {
    const name = `prepaid_tpl_${process.pid}_${randomBytes(3).toString('hex')}`;
    await adminQuery(`CREATE DATABASE ${name}`);
    await migrate(withDb(PG_ADMIN_URL, name));
    return name;
  })();
  return template;
}

async function adminQuery(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_ADMIN_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

export interface TestDatabase {
  kind: Kind;
  url: string;
  open(opts?: { poolSize?: number }): Database;
  drop(): Promise<void>;
}

export async function createTestDatabase(kind: Kind): Promise<TestDatabase> {
  if (kind === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prepaid-test-'));
    const url = `sqlite:${path.join(dir, 'prepaid.db')}`;
    await migrate(url);
    return { kind, url, open: () => openDatabase(url), drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  }
  const tpl = await pgTemplate();
  const name = `prepaid_t_${randomBytes(5).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name} TEMPLATE ${tpl}`);
  const url = withDb(PG_ADMIN_URL, name);
  return { kind, url, open: (o) => openDatabase(url, o), drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/** Skips (locally) or fails (CI=true) a PostgreSQL suite when the server is not reachable. */
export async function requireKind(ctx: Mocha.Context, kind: Kind): Promise<void> {
  if (kind !== 'pg' || (await postgresAvailable())) return;
  if (process.env.CI === 'true') throw new Error(`PostgreSQL is not reachable at ${PG_ADMIN_URL} (CI=true requires it)`);
  ctx.skip(); // PostgreSQL not reachable at PG_TEST_URL: the PostgreSQL half of the store suite is skipped locally
}

export class FixedClock implements Clock {
  constructor(public ms = Date.UTC(2026, 0, 1)) {}
  now(): Date { return new Date(this.ms); }
  advance(ms: number): void { this.ms += ms; }
}

export interface TestBilling {
  billing: Billing;
  clock: FixedClock;
  tdb: TestDatabase;
  close(): Promise<void>;
}

export async function createTestBilling(kind: Kind, policy: Partial<BillingPolicy> = {}, opts: { poolSize?: number } = {}): Promise<TestBilling> {
  const tdb = await createTestDatabase(kind);
  const db = tdb.open(opts);
  const clock = new FixedClock();
  const billing = new Billing(db, new SecretHasher(TEST_SECRET), clock, { ...DEFAULT_POLICY, ...policy });
  return { billing, clock, tdb, close: async () => { await db.close(); await tdb.drop(); } };
}

/** Drops the template database at the end of the run. */
after(async () => {
  if (template) {
    const name = await template.catch(() => undefined);
    if (name) await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
  }
});
