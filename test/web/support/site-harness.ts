import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { MemoryLogger } from '../../../billing/shared/logger';
import { loadConfig } from '../../../app/config';
import { startServer } from '../../../app/serve';
import type { RunningServer } from '../../../app/serve';
import { createTestDatabase, TEST_SECRET } from '../../support/databases';
import type { Kind, TestDatabase } from '../../support/databases';

export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

export interface ReceivedMail { to: string[]; raw: string; text: string }

/** A real SMTP server (smtp-server) on loopback that keeps what it receives; can be stopped and restarted on its port. */
export class TestSmtp {
  readonly received: ReceivedMail[] = [];
  private server: SMTPServer | undefined;
  constructor(readonly port: number) {}

  static async start(): Promise<TestSmtp> {
    const s = new TestSmtp(await freePort());
    await s.up();
    return s;
  }

  async up(): Promise<void> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          this.received.push({ to: session.envelope.rcptTo.map((r) => r.address), raw, text: plainText(raw) });
          callback();
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.port, '127.0.0.1', () => resolve());
    });
  }

  async down(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }

  to(address: string): ReceivedMail[] {
    return this.received.filter((m) => m.to.includes(address));
  }
}

/** The text/plain part of a MIME message, transfer-decoded (quoted-printable or base64). */
export function plainText(raw: string): string {
  const m = /Content-Type: text\/plain[^\r\n]*\r?\n(?:[^\r\n]+\r?\n)*?Content-Transfer-Encoding: ([\w-]+)\r?\n(?:[^\r\n]+\r?\n)*\r?\n([\s\S]*?)\r?\n--/i.exec(raw);
  if (!m) return raw;
  const [, enc, body] = m;
  if (/base64/i.test(enc!)) return Buffer.from(body!.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (/quoted-printable/i.test(enc!)) {
    const bytes = body!.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return body!;
}

export interface RunningSite {
  server: RunningServer;
  url: string;
  logs: MemoryLogger;
  tdb: TestDatabase;
  dataDir: string;
  stop(): Promise<void>;
}

/** The real `serve` composition root (site + API) on a fresh database (SQLite unless told), logging into memory. */
export async function startSite(env: Record<string, string> = {}, kind: Kind = 'sqlite'): Promise<RunningSite> {
  const tdb = await createTestDatabase(kind);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'prepaid-site-'));
  const port = await freePort();
  const config = loadConfig({
    DATA_DIR: dataDir, DATABASE_URL: tdb.url, PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: `http://127.0.0.1:${port}`,
    SECRET_KEY: TEST_SECRET, MAIL_POLL_MS: '100', MAIL_RETRY_BASE_MS: '200', LOG_LEVEL: 'debug', ...env,
  });
  const logs = new MemoryLogger();
  const server = await startServer(config, logs, ['site', 'api']);
  return {
    server, url: server.url, logs, tdb, dataDir,
    async stop() {
      await server.stop();
      await tdb.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls `probe` until it returns a value (not a timing assertion: a bounded wait for an outcome). */
export async function eventually<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, limit_ms = 15_000): Promise<T> {
  const deadline = Date.now() + limit_ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
