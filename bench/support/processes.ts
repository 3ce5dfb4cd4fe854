import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

export async function stopChild(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  await exited;
}

/** The child processes a bench starts, stopped by their own PIDs at the end. */
export class Children {
  private readonly procs: ChildProcess[] = [];

  /**
   * Starts `node argv…`; resolves once `knownUrl`/healthz answers, or (without it) once its output
   * carries a JSON line with `url`. Its output is always drained (a full pipe would stall it).
   * With `mustSay`, a child healthy without having printed it is an error (a preload that did not apply).
   */
  start(argv: string[], env: Record<string, string>, knownUrl?: string, mustSay?: string): Promise<{ url: string; proc: ChildProcess }> {
    const proc = spawn(process.execPath, argv, { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.procs.push(proc);
    if (knownUrl) {
      let out = '';
      proc.stdout?.on('data', (c: Buffer) => { out = (out + c.toString('utf8')).slice(-4000); });
      proc.stderr?.on('data', (c: Buffer) => { out = (out + c.toString('utf8')).slice(-4000); });
      return (async () => {
        for (let i = 0; i < 300; i++) {
          if (proc.exitCode !== null) break;
          if (await fetch(`${knownUrl}/healthz`).then((r) => r.ok, () => false)) {
            if (mustSay && !out.includes(mustSay)) throw new Error(`the child never said "${mustSay}": ${out}`);
            return { url: knownUrl, proc };
          }
          await new Promise((r) => setTimeout(r, 100));
        }
        throw new Error(`server did not become healthy: ${out}`);
      })();
    }
    return new Promise((resolve, reject) => {
      let buf = '';
      const onData = (c: Buffer) => {
        buf += c.toString('utf8');
        const m = /\{[^\n]*"url":"(http:[^"]+)"[^\n]*\}/.exec(buf);
        if (m?.[1]) { resolve({ url: m[1], proc }); buf = ''; proc.stdout?.removeListener('data', onData); proc.stderr?.removeListener('data', onData); proc.stdout?.resume(); proc.stderr?.resume(); }
      };
      proc.stdout?.on('data', onData);
      proc.stderr?.on('data', onData);
      proc.once('exit', (code) => reject(new Error(`child exited with ${code}: ${buf.slice(-1500)}`)));
    });
  }

  /** `prepaid serve --roles …` on a free loopback port, healthy. */
  async serve(roles: string, env: Record<string, string>, nodeArgs: string[] = []): Promise<{ url: string; proc: ChildProcess }> {
    const port = await freePort();
    return this.start([...nodeArgs, path.join(ROOT, 'bin/prepaid.mjs'), 'serve', '--roles', roles], { PORT: String(port), HOST: '127.0.0.1', ...env }, `http://127.0.0.1:${port}`);
  }

  async stop(proc: ChildProcess): Promise<void> {
    await stopChild(proc);
  }

  async stopAll(): Promise<void> {
    for (const p of this.procs) await stopChild(p);
  }
}
