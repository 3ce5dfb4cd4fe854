/**
 * The time a call runs on: metering, digit timeouts and the one-minute warning. The system clock in
 * production; tests and the bench run it faster, at the same speed as the ARI simulator, so a
 * ten-minute metered call takes seconds and every duration still agrees with Asterisk's
 * TIMEOUT(absolute).
 */
export interface CallClock {
  now_ms(): number;
  /** Runs `fn` after `ms` of call time; returns a cancel function. */
  after(ms: number, fn: () => void): () => void;
}

export const systemCallClock: CallClock = {
  now_ms: () => Date.now(),
  after(ms, fn) {
    const t = setTimeout(fn, Math.max(0, ms));
    return () => clearTimeout(t);
  },
};

/** Call time running `speed` times faster than real time, counted from `origin_ms` (share it between processes). */
export function scaledCallClock(speed: number, origin_ms = Date.now()): CallClock {
  if (!(speed > 0)) throw new RangeError('speed must be > 0');
  return {
    now_ms: () => origin_ms + (Date.now() - origin_ms) * speed,
    after(ms, fn) {
      const t = setTimeout(fn, Math.max(0, ms / speed));
      return () => clearTimeout(t);
    },
  };
}

export function sleep(clock: CallClock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.after(ms, resolve));
}
