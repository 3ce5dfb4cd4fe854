import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TEST_SECRET } from '../../support/databases';

const ROOT = path.resolve(import.meta.dirname, '../../..');

export interface ChildServer {
  url: string;
  proc: ChildProcess;
  /** Every JSON log line the process wrote so far. */
  lines: Array<Record<string, unknown>>;
  /** SIGTERM and wait for the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL (a crash) and wait for the process to be gone. */
  kill9(): Promise<void>;
}

/**
 * A real `prepaid serve --roles api` process (bin/prepaid.mjs) on port 0 (or with other `roles`, e.g.
 * `api,ivr`: the IVR on the built-in ARI simulator and the sandbox web phone); its URL is read from
 * the 'serving' log line. Stopped by its own PID only.
 */
export async function spawnServer(databaseUrl: string, env: Record<string, string> = {}, roles = 'api'): Promise<ChildServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'prepaid-serve-'));
  const proc = spawn(process.execPath, [path.join(ROOT, 'bin/prepaid.mjs'), 'serve', '--roles', roles], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir(), DATA_DIR: dataDir, DATABASE_URL: databaseUrl, SECRET_KEY: TEST_SECRET, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Array<Record<string, unknown>> = [];
  // Its data directory goes with it (the database is DATABASE_URL's, not in it).
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => {
    fs.rmSync(dataDir, { recursive: true, force: true });
    resolve(code);
  }));
  const url = await new Promise<string>((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`server did not start in 30 s:\n${buf.slice(-2000)}`)), 30_000);
    const onData = (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        try {
          const j = JSON.parse(line) as Record<string, unknown>;
          lines.push(j);
          if (j.message === 'serving' && typeof j.url === 'string') { clearTimeout(timer); resolve(j.url); }
        } catch { /* not JSON */ }
      }
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    void exited.then((code) => { clearTimeout(timer); reject(new Error(`server exited with ${code} before serving:\n${buf.slice(-2000)}`)); });
  });
  return {
    url, proc, lines,
    stop: async () => { if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM'); return exited; },
    kill9: async () => { if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL'); await exited; },
  };
}
