import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { Registry } from 'prom-client';
import { createExpressServer } from '../../../billing/http/express-server';
import { mountSettlementApi, DEFAULT_API_OPTIONS } from '../../../billing/http/mount';
import type { ApiOptions } from '../../../billing/http/mount';
import { createMerchant } from '../../../billing/merchants/merchants';
import type { BillingPolicy } from '../../../billing/shared/context';
import { unwrap } from '../../../billing/shared/errors';
import type { Logger } from '../../../billing/shared/logger';
import { MemoryLogger } from '../../../billing/shared/logger';
import { loadConfig } from '../../../app/config';
import type { Config } from '../../../app/config';
import type { AppDeps } from '../../../app/deps';
import { createTestBilling, TEST_SECRET } from '../../support/databases';
import type { Kind, TestBilling } from '../../support/databases';

/** The data directories testConfig made, removed when the test process exits. */
const dataDirs: string[] = [];
process.once('exit', () => { for (const d of dataDirs) fs.rmSync(d, { recursive: true, force: true }); });

/** A config pointing at a test database (what `prepaid serve` would load from the environment). */
export function testConfig(databaseUrl: string, extra: Record<string, string> = {}): Config {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'prepaid-http-'));
  dataDirs.push(dataDir);
  return loadConfig({ DATA_DIR: dataDir, DATABASE_URL: databaseUrl, SECRET_KEY: TEST_SECRET, PORT: '0', LOG_LEVEL: 'debug', ...extra });
}

export interface TestApi {
  url: string;
  t: TestBilling;
  deps: AppDeps;
  logger: Logger;
  api_key: string;
  merchant_id: number;
  /** A second merchant, to prove isolation. */
  other_key: string;
  close(): Promise<void>;
}

/**
 * The real settlement API (the real mount function, real Billing on a fresh SQLite or PostgreSQL
 * database) on a real HTTP server at 127.0.0.1:0.
 */
export async function startTestApi(kind: Kind, opts: { options?: Partial<ApiOptions>; policy?: Partial<BillingPolicy>; logger?: Logger; poolSize?: number } = {}): Promise<TestApi> {
  const t = await createTestBilling(kind, opts.policy, { poolSize: opts.poolSize });
  const logger = opts.logger ?? new MemoryLogger();
  const deps: AppDeps = { config: testConfig(t.tdb.url), billing: t.billing, logger, metrics: new Registry() };
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  mountSettlementApi(app, deps, { ...DEFAULT_API_OPTIONS, ...opts.options });
  const server = createExpressServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  const m = unwrap(await t.billing.tx((ctx) => createMerchant(ctx, 'Test Shop')));
  const o = unwrap(await t.billing.tx((ctx) => createMerchant(ctx, 'Other Shop')));
  return {
    url: `http://127.0.0.1:${port}`, t, deps, logger, api_key: m.api_key, merchant_id: m.merchant.id, other_key: o.api_key,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await t.close();
    },
  };
}

export interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown> & { error?: { code: string; message: string; request_id: string } };
}

function parseJson(text: string): Answer['body'] {
  try { return text ? JSON.parse(text) as Answer['body'] : {}; } catch { return { raw: text }; }
}

/** One JSON request with fetch. `body` as a string is sent raw. */
export async function call(url: string, method: string, p: string, o: { key?: string | null; body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...(o.key ? { authorization: `Bearer ${o.key}` } : {}), ...o.headers };
  let body: string | undefined;
  if (o.body !== undefined) {
    body = typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(url + p, { method, headers, body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: parseJson(text) };
}

/** Counts of the money tables, to prove a rejected request wrote nothing. */
export async function moneyRows(t: TestBilling): Promise<Record<string, number>> {
  const q = t.billing.read().q;
  const n = async (table: string) => Number((await q.one<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))?.n ?? 0);
  return { ledger_entries: await n('ledger_entries'), postings: await n('postings'), holds: await n('holds'), refunds: await n('refunds'), idempotency_keys: await n('idempotency_keys') };
}
