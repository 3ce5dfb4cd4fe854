export interface BackoffPolicy {
  initialDelay_ms: number;
  maxDelay_ms: number;
  /** Attempts before giving up (a bound: the process supervisor takes over after that). */
  maxAttempts: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = Object.freeze({ initialDelay_ms: 100, maxDelay_ms: 5_000, maxAttempts: 120 });

/**
 * Delay before reconnect attempt `attempt` (1-based): exponential from `initialDelay_ms`, capped at `maxDelay_ms`,
 * with up to 20 % jitter taken off so many IVR processes do not reconnect in step. `random` is injectable for tests.
 */
export function backoffDelay_ms(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const exp = policy.initialDelay_ms * 2 ** Math.min(Math.max(0, attempt - 1), 30);
  const capped = Math.min(policy.maxDelay_ms, exp);
  return Math.round(capped * (1 - 0.2 * random()));
}
