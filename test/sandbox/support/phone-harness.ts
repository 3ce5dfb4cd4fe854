import fs from 'node:fs';
import { createExpressServer } from '../../../billing/http/express-server';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import type { Billing } from '../../../billing/billing';
import { MemoryLogger } from '../../../billing/shared/logger';
import { AriSimulator } from '../../../ivr/sim/ari-simulator';
import { seedDemo } from '../../../sandbox/demo/seed-demo';
import { loadConfig } from '../../../app/config';
import type { Config } from '../../../app/config';
import { openBilling } from '../../../app/open-billing';
import type { BackgroundTask } from '../../../app/deps';
import { mountWebPhone } from '../../../sandbox/phone/mount';
import { sandboxMediaDuration } from '../../../sandbox/phone/prompt-media';
import { ScriptedIvr } from './scripted-ivr';

export interface RunningPhone {
  url: string;
  sim: AriSimulator;
  ivr: ScriptedIvr;
  billing: Billing;
  config: Config;
  logger: MemoryLogger;
  stop(): Promise<void>;
}

/**
 * The web phone alone, as mountWebPhone sees it: a fresh embedded database with the demo seeded, the ARI
 * simulator (prompts as long as their WAVs, `speed` times faster) and a scripted IVR connected to it.
 */
export async function startPhone(opts: { speed?: number } = {}): Promise<RunningPhone> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'prepaid-phone-'));
  const config = loadConfig({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'error' });
  const logger = new MemoryLogger();
  const billing = await openBilling(config);
  await seedDemo(config, billing, logger);
  const sim = new AriSimulator({ user: 'u', password: 'p', speed: opts.speed ?? 5, mediaDuration: sandboxMediaDuration });
  await sim.start();
  const ivr = new ScriptedIvr(sim.url, 'u', 'p');
  await ivr.start();
  const app = express();
  const tasks: BackgroundTask[] = mountWebPhone(app, { config, billing, logger }, sim);
  const server = createExpressServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  for (const t of tasks) await t.start();
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url, sim, ivr, billing, config, logger,
    stop: async () => {
      for (const t of tasks) await t.stop();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      ivr.stop();
      await sim.stop();
      await billing.db.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function eventually<T>(fn: () => T | Promise<T>, what: string, timeout_ms = 10_000): Promise<NonNullable<T>> {
  const end = Date.now() + timeout_ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`${what}: not met in time${last ? ` (${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
