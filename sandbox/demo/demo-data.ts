import { currencyExponent } from '../../billing/money/currency';
import type { Rate } from '../../billing/rating/rate';
import { RATE_SCALE } from '../../billing/rating/rate';

/** The marker of a seeded demo: a card batch of this name (unique), written in the same transaction as the cards. */
export const DEMO_BATCH = 'demo';
export const DEMO_MERCHANT = 'Demo Shop (sandbox)';

/**
 * Amounts below are in hundredths of the currency's major unit ("cents"), converted to minor units of
 * DEFAULT_CURRENCY; a currency without cents (JPY) takes them as whole units, so the ratios hold.
 */
export function centsToMinor(cents: number, currency: string): number {
  const exp = currencyExponent(currency);
  return exp >= 2 ? cents * 10 ** (exp - 2) : cents;
}

/** The demo cards: label and value. Index = position, which also keys the derived number and PIN. */
export const DEMO_CARD_VALUES_CENTS: readonly number[] = [1000, 200, 50];

interface DemoRateRow { prefix: string; destination: string; cents_per_minute: number; connect_fee_cents: number; blocked?: boolean }

/**
 * A small deck, 6/6 billing: cheap enough that the 0.50 card lasts minutes on US/Canada, with visible
 * cost; UK mobile carries a connect fee (the 0.50 card is cut off there in under two minutes);
 * US premium 1900 is blocked.
 */
export const DEMO_RATES: readonly DemoRateRow[] = [
  { prefix: '1', destination: 'United States / Canada', cents_per_minute: 6, connect_fee_cents: 0 },
  { prefix: '1900', destination: 'United States premium (blocked)', cents_per_minute: 0, connect_fee_cents: 0, blocked: true },
  { prefix: '34', destination: 'Spain', cents_per_minute: 12, connect_fee_cents: 0 },
  { prefix: '44', destination: 'United Kingdom', cents_per_minute: 9, connect_fee_cents: 0 },
  { prefix: '447', destination: 'United Kingdom mobile', cents_per_minute: 24, connect_fee_cents: 10 },
];

export function demoRates(currency: string): Rate[] {
  return DEMO_RATES.map((r) => ({
    prefix: r.prefix,
    destination: r.destination,
    rate_per_minute_scaled: centsToMinor(r.cents_per_minute, currency) * RATE_SCALE,
    connect_fee_minor: centsToMinor(r.connect_fee_cents, currency),
    initial_increment_s: 6,
    increment_s: 6,
    min_charge_minor: 0,
    blocked: r.blocked === true,
  }));
}
