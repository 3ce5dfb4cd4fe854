import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export interface CheckpointOptions {
  /** How often the worker runs a PASSIVE checkpoint. */
  interval_ms: number;
  /** A WAL longer than this many frames (pages) asks the writer for a restart (`SqliteCheckpointer.restartWanted`). */
  restart_frames: number;
  /** At most one restart asked for per this many ms (a reader in another process may keep it from happening). */
  restart_every_ms: number;
}

/** 16,384 frames: 64 MiB of WAL at SQLite's default 4 KiB page. */
export const CHECKPOINT_DEFAULTS: Readonly<CheckpointOptions> = Object.freeze({ interval_ms: 200, restart_frames: 16_384, restart_every_ms: 1_000 });

/** What a checkpoint reported: frames in the WAL, and how many of them are now in the database file. */
export interface CheckpointResult {
  log: number;
  checkpointed: number;
}

/**
 * Moves WAL checkpoints off the request path. With auto-checkpoint on, every ~1000 WAL pages one
 * unlucky commit copies them back into the database and fsyncs — milliseconds, in the middle of a
 * request. Instead a worker thread with its own connection runs PASSIVE checkpoints (they never
 * block writers) every `interval_ms`.
 *
 * A PASSIVE checkpoint alone never shortens the WAL under a writer that never pauses: SQLite starts
 * the log over only when a writer begins after EVERY frame has been copied back, and while writes
 * keep coming some frames are always newer than the checkpoint. The WAL then grows without bound
 * (bench/store/sustained-writes: 3.2 GB after 100,000 authorizations, for a 49 MB database, each
 * authorization costing twice the CPU by the end; a crash then means replaying all of it at the
 * next open). So when the WAL is longer than
 * `restart_frames`, the worker asks the writer for a restart: between two batches the writer calls
 * `finish()` and waits (its transactions queue meanwhile; the event loop keeps running) while the
 * worker copies the frames written since its last checkpoint; the writer's next transaction then
 * writes the WAL from its beginning.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
let stopping = false;
let asked = 0;
const passive = () => {
  try { return db.pragma('wal_checkpoint(PASSIVE)')[0] || null; } catch (_) { return null; /* busy: the next tick retries */ }
};
const tick = () => {
  if (stopping) return;
  let r = passive();
  if (r && r.log > workerData.restart_frames && Date.now() - asked >= workerData.restart_every_ms) {
    asked = Date.now();
    // Catch up first (the writes made during this checkpoint), so the writer's pause copies little.
    for (let i = 0; i < 3; i++) {
      const again = passive();
      if (!again) break;
      const copied = again.checkpointed - r.checkpointed;
      r = again;
      if (copied < 256) break;
    }
    parentPort.postMessage({ kind: 'restart-wanted', log: r.log });
  }
  setTimeout(tick, workerData.interval_ms);
};
setTimeout(tick, workerData.interval_ms);
parentPort.on('message', (m) => {
  if (m === 'finish') {
    const r = passive();
    parentPort.postMessage({ kind: 'finished', result: r && { log: r.log, checkpointed: r.checkpointed } });
    return;
  }
  stopping = true;
  try { db.close(); } catch (_) {}
  parentPort.postMessage({ kind: 'stopped' });
});
`;

type WorkerMessage = { kind: 'restart-wanted'; log: number } | { kind: 'finished'; result: CheckpointResult | null } | { kind: 'stopped' };

/** The longest the writer waits for `finish()`; past it, writing goes on (the WAL restarts another time). */
const FINISH_TIMEOUT_MS = 2_000;

export class SqliteCheckpointer {
  private readonly worker: Worker;
  private stopped: Promise<void> | undefined;
  private finishing: ((r: CheckpointResult | null) => void) | undefined;
  /** Set by the worker when the WAL is long: the writer should call `finish()` between two batches. */
  restartWanted = false;

  constructor(file: string, options: CheckpointOptions = CHECKPOINT_DEFAULTS) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver, ...options } });
    this.worker.unref();
    this.worker.on('message', (m: WorkerMessage) => {
      if (m.kind === 'restart-wanted') this.restartWanted = true;
      else if (m.kind === 'finished') this.settleFinish(m.result);
    });
    this.worker.once('exit', () => this.settleFinish(null));
  }

  private settleFinish(r: CheckpointResult | null): void {
    const f = this.finishing;
    this.finishing = undefined;
    f?.(r);
  }

  /**
   * Called by the writer between two batches, with no transaction open: the worker copies every
   * frame back (no writer runs, so the checkpoint completes), and the writer's next transaction
   * starts the WAL over. Resolves with the checkpoint's figures, or null (busy, timed out, stopped).
   */
  finish(): Promise<CheckpointResult | null> {
    this.restartWanted = false;
    if (this.stopped || this.finishing) return Promise.resolve(null);
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.settleFinish(null), FINISH_TIMEOUT_MS);
      this.finishing = (r) => { clearTimeout(timer); resolve(r); };
      this.worker.postMessage('finish');
    });
  }

  /** Idempotent. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      await new Promise<void>((resolve) => {
        this.worker.on('message', (m: WorkerMessage) => { if (m.kind === 'stopped') resolve(); });
        this.worker.once('exit', () => resolve());
        this.worker.postMessage('stop');
      });
      await this.worker.terminate();
    })();
    return this.stopped;
  }
}
