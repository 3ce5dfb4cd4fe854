import { BillingError } from '../shared/errors';

/**
 * Rates carry 4 more decimals than the currency's minor unit: 1.25 cents a minute is
 * `rate_per_minute_scaled = 12_500`. Money itself is always whole minor units.
 */
export const RATE_SCALE = 10_000;

/** Longest call a rate can authorise at once (a bound on every computation): 24 hours. */
export const MAX_CALL_SECONDS = 24 * 3600;

export interface Rate {
  readonly prefix: string;
  readonly destination: string;
  readonly rate_per_minute_scaled: number;
  readonly connect_fee_minor: number;
  /** First billed block, in seconds (the "60" of 60/60, the "30" of 30/6). */
  readonly initial_increment_s: number;
  /** Each later block, in seconds. */
  readonly increment_s: number;
  readonly min_charge_minor: number;
  readonly blocked: boolean;
}

export function validateRate(r: Rate): Rate {
  const ints: Array<[string, number, number]> = [
    ['rate_per_minute', r.rate_per_minute_scaled, 0],
    ['connect_fee', r.connect_fee_minor, 0],
    ['min_charge', r.min_charge_minor, 0],
    ['initial_increment', r.initial_increment_s, 1],
    ['increment', r.increment_s, 1],
  ];
  for (const [name, v, min] of ints) {
    if (!Number.isSafeInteger(v) || v < min || v > 1e12) throw new BillingError('validation_error', `${name} must be an integer ≥ ${min}`);
  }
  if (r.initial_increment_s > 3600 || r.increment_s > 3600) throw new BillingError('validation_error', 'increments must be at most 3600 seconds');
  if (!/^\d{1,15}$/.test(r.prefix)) throw new BillingError('validation_error', 'prefix must be 1 to 15 digits');
  return r;
}

/** Seconds billed for a call that lasted `duration_s`: rounded UP to the initial block, then to whole increments. */
export function billedSeconds(rate: Rate, duration_s: number): number {
  if (duration_s <= 0) return 0;
  const d = Math.ceil(duration_s);
  if (d <= rate.initial_increment_s) return rate.initial_increment_s;
  return rate.initial_increment_s + Math.ceil((d - rate.initial_increment_s) / rate.increment_s) * rate.increment_s;
}

/**
 * Price of `billed_s` billed seconds. THE rounding point of the product: the per-second
 * cost is summed exactly in scaled units and rounded UP to a whole minor unit once, here.
 * Connect fee is added, then the minimum charge applies. Zero billed seconds cost nothing.
 */
export function priceBilledSeconds(rate: Rate, billed_s: number): number {
  if (billed_s <= 0) return 0;
  const usage = Math.ceil((rate.rate_per_minute_scaled * billed_s) / (60 * RATE_SCALE));
  return Math.max(rate.min_charge_minor, rate.connect_fee_minor + usage);
}

/** Cost of a call that lasted `duration_s` seconds. */
export function rateCall(rate: Rate, duration_s: number): { billed_s: number; cost_minor: number } {
  const billed_s = billedSeconds(rate, duration_s);
  return { billed_s, cost_minor: priceBilledSeconds(rate, billed_s) };
}

/**
 * The inverse: the longest call (seconds) whose full cost — connect fee, initial increment,
 * minimum charge included — fits in `available_minor`. 0 when not even the first block fits.
 * The answer is always on an increment boundary, so a call cut at that second is billed exactly it.
 */
export function maxAffordableSeconds(rate: Rate, available_minor: number, cap_s = MAX_CALL_SECONDS): number {
  if (rate.blocked || available_minor <= 0) return 0;
  if (priceBilledSeconds(rate, rate.initial_increment_s) > available_minor) return 0;
  let best: number;
  if (rate.rate_per_minute_scaled === 0) {
    best = cap_s;
  } else {
    // Largest b with connect + ceil(r*b/(60S)) <= available  <=>  r*b <= (available-connect)*60S.
    const budget = (available_minor - rate.connect_fee_minor) * 60 * RATE_SCALE;
    const maxBilled = Math.floor(budget / rate.rate_per_minute_scaled);
    const k = Math.floor((maxBilled - rate.initial_increment_s) / rate.increment_s);
    best = rate.initial_increment_s + Math.max(0, k) * rate.increment_s;
  }
  best = Math.min(best, cap_s);
  // Snap down to an increment boundary under the cap, then check the invariant by pricing.
  if (best > rate.initial_increment_s) {
    best = rate.initial_increment_s + Math.floor((best - rate.initial_increment_s) / rate.increment_s) * rate.increment_s;
  }
  while (best > rate.initial_increment_s && priceBilledSeconds(rate, best) > available_minor) best -= rate.increment_s;
  if (priceBilledSeconds(rate, best) > available_minor) return 0;
  return best;
}
