import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { luhnCheckDigit } from '../../billing/cards/luhn';
import { Billing } from '../../billing/billing';
import { SecretHasher } from '../../billing/cards/secrets';
import { systemClock } from '../../billing/shared/clock';
import { DEFAULT_POLICY } from '../../billing/shared/context';
import type { BillingPolicy } from '../../billing/shared/context';
import { createTestDatabase, requireKind, TEST_SECRET } from '../support/databases';
import type { Kind, TestDatabase } from '../support/databases';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(ROOT, 'bin/prepaid.mjs');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliEnv {
  dir: string;
  env: NodeJS.ProcessEnv;
  run(args: string[]): Promise<CliRun>;
  /** Starts the CLI and returns its completion (for work done while it runs). */
  start(args: string[]): { done: Promise<CliRun>; pid: number | undefined };
  json<T = Record<string, unknown>>(args: string[]): Promise<T>;
  cleanup(): void;
}

/** Runs `node bin/prepaid.mjs …` as operators do, against the test database `tdb` (a subprocess each). */
export function cliFor(tdb: TestDatabase): CliEnv {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prepaid-cli-'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH, HOME: process.env.HOME ?? dir,
    DATA_DIR: dir, DATABASE_URL: tdb.url, SECRET_KEY: TEST_SECRET, LOG_LEVEL: 'error',
  };
  const start = (args: string[]) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const done = new Promise<CliRun>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
    return { done, pid: child.pid };
  };
  const run = (args: string[]) => start(args).done;
  return {
    dir, env, run, start,
    async json<T>(args: string[]): Promise<T> {
      const r = await run([...args, '--json']);
      if (r.code !== 0) throw new Error(`prepaid ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
      return JSON.parse(r.stdout) as T;
    },
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** A Luhn-valid 16-digit number with a recognisable test prefix (not the issuer's 7). */
export function testCardNumber(i: number): string {
  const payload = `4${String(i).padStart(14, '0')}`;
  return payload + String(luhnCheckDigit(payload));
}

export function readCsvLines(file: string): string[][] {
  return fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => l.split(','));
}

/**
 * For a `describe` of CLI tests on one kind of database: a fresh database (skipped with the reason
 * when that kind is missing), a Billing on it with `policy`, and the CLI on the same database;
 * all closed after the suite. Read them inside tests.
 */
export function cliSuite(kind: Kind, policy: Partial<BillingPolicy> = {}): { billing: Billing; cli: CliEnv } {
  const suite = {} as { billing: Billing; cli: CliEnv; tdb?: TestDatabase };
  before(async function () {
    await requireKind(this, kind);
    suite.tdb = await createTestDatabase(kind);
    suite.billing = new Billing(suite.tdb.open(), new SecretHasher(TEST_SECRET), systemClock, { ...DEFAULT_POLICY, ...policy });
    suite.cli = cliFor(suite.tdb);
  });
  after(async () => {
    await suite.billing?.db.close();
    await suite.tdb?.drop();
    suite.cli?.cleanup();
  });
  return suite;
}
