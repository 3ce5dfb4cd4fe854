import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Moves WAL checkpoints off the request path. With auto-checkpoint on, every ~1000 WAL pages one
 * unlucky commit copies them back into the database and fsyncs — milliseconds, in the middle of a
 * request. Instead a worker thread with its own connection runs PASSIVE checkpoints (they never
 * block writers) every `interval_ms`.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
let stopping = false;
const tick = () => {
  if (stopping) return;
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (_) { /* busy: the next tick retries */ }
  setTimeout(tick, workerData.interval_ms);
};
setTimeout(tick, workerData.interval_ms);
parentPort.on('message', () => { stopping = true; try { db.close(); } catch (_) {} parentPort.postMessage('stopped'); });
`;

export class SqliteCheckpointer {
  private readonly worker: Worker;
  private stopped: Promise<void> | undefined;

  constructor(file: string, interval_ms = 200) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, interval_ms, driver } });
    this.worker.unref();
  }

  /** Idempotent. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      await new Promise<void>((resolve) => {
        this.worker.once('message', () => resolve());
        this.worker.once('exit', () => resolve());
        this.worker.postMessage('stop');
      });
      await this.worker.terminate();
    })();
    return this.stopped;
  }
}
