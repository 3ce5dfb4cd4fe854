/**
 * How many cards the next slice of a bulk load takes, so that each slice holds the write lock for
 * about `target_ms`: after each slice the size moves toward target / measured time (at most ×2 or
 * ÷2 a step, within [min_rows, max_rows]). A loaded machine or a slow disk gets smaller slices, so a
 * server sharing the database waits about the same time for the lock whatever the conditions.
 */
export class SliceSizer {
  private size: number;

  constructor(readonly target_ms: number, readonly min_rows: number, readonly max_rows: number, initial: number) {
    this.size = Math.min(max_rows, Math.max(min_rows, initial));
  }

  get rows(): number {
    return this.size;
  }

  /** `rows` took `ms` inside their transaction. */
  record(rows: number, ms: number): void {
    if (!(rows > 0) || !(ms >= 0)) return;
    const ideal = (rows * this.target_ms) / Math.max(ms, 0.1);
    const next = Math.min(this.size * 2, Math.max(this.size / 2, ideal));
    this.size = Math.round(Math.min(this.max_rows, Math.max(this.min_rows, next)));
  }
}

/** A size that never changes (tests, or an operator's explicit choice). */
export const fixedSlices = (rows: number): Pick<SliceSizer, 'rows' | 'record'> => ({ rows, record: () => undefined });
