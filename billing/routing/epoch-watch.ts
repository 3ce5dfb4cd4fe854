import type { Database } from '../store/sql/database';
import { DatabaseClosed } from '../store/sql/database';

const CHANNEL = 'routing_epoch';
const MAX_RETRY_MS = 30_000;

/**
 * Knows the current routing epoch WITHOUT asking, by LISTENing to the database's NOTIFY (PostgreSQL):
 * `epoch` is the newest epoch committed, as far as notifications have arrived, and undefined when
 * not known (not listening yet, connection lost, or no LISTEN support — SQLite). Listening starts
 * first and the epoch is read after, so no change falls between the two. A lost connection is
 * retried with a capped backoff (one attempt per 30 s at most); until then `epoch` is undefined
 * and rankings check the database themselves.
 */
export class EpochWatch {
  epoch: number | undefined;
  private started = false;
  private stopped = false;
  private retry_ms = 500;

  constructor(private readonly db: Database, private readonly readEpoch: () => Promise<number>) {}

  /** Starts listening (once; later calls do nothing). */
  start(): void {
    if (this.started || !this.db.listen) return;
    this.started = true;
    void this.connect();
  }

  private async connect(): Promise<void> {
    if (this.stopped || !this.db.listen) return;
    let heard: number | undefined;
    let live = false;
    const onNotify = (payload: string) => {
      const e = Number(payload);
      if (!Number.isSafeInteger(e)) return;
      heard = Math.max(heard ?? e, e);
      if (live && this.epoch !== undefined) this.epoch = Math.max(this.epoch, e);
    };
    const onLost = () => this.lost();
    try {
      await this.db.listen(CHANNEL, onNotify, onLost);
      const read = await this.readEpoch();
      live = true;
      this.epoch = Math.max(read, heard ?? read);
      this.retry_ms = 500;
    } catch (err) {
      if (err instanceof DatabaseClosed) {
        this.stopped = true;
        return;
      }
      this.lost();
    }
  }

  private lost(): void {
    this.epoch = undefined;
    if (this.stopped) return;
    const delay = this.retry_ms;
    this.retry_ms = Math.min(MAX_RETRY_MS, this.retry_ms * 2);
    setTimeout(() => void this.connect(), delay).unref();
  }
}
