import type { CountNoun } from './types';

/** A currency the sayer can speak: its minor-unit exponent (ISO 4217) and unit nouns. */
export interface SpokenCurrency {
  /** Digits of the minor unit: 2 for USD (cents), 0 for JPY (no minor unit is said). */
  readonly exponent: number;
  readonly major: CountNoun;
  /** null exactly when `exponent` is 0. */
  readonly minor: CountNoun | null;
}

/**
 * Currencies with spoken units. Adding one: add its `unit_<code>_*` prompts to
 * ivr/prompts/unit-prompts.ts, an entry here, its gender in the language modules if not masculine,
 * and regenerate the sounds.
 */
export const SPOKEN_CURRENCIES = {
  USD: {
    exponent: 2,
    major: { one: 'unit_usd_major_one', many: 'unit_usd_major_many' },
    minor: { one: 'unit_usd_minor_one', many: 'unit_usd_minor_many' },
  },
  EUR: {
    exponent: 2,
    major: { one: 'unit_eur_major_one', many: 'unit_eur_major_many' },
    minor: { one: 'unit_eur_minor_one', many: 'unit_eur_minor_many' },
  },
  GBP: {
    exponent: 2,
    major: { one: 'unit_gbp_major_one', many: 'unit_gbp_major_many' },
    minor: { one: 'unit_gbp_minor_one', many: 'unit_gbp_minor_many' },
  },
  MXN: {
    exponent: 2,
    major: { one: 'unit_mxn_major_one', many: 'unit_mxn_major_many' },
    minor: { one: 'unit_mxn_minor_one', many: 'unit_mxn_minor_many' },
  },
  JPY: { exponent: 0, major: { one: 'unit_jpy_major_one', many: 'unit_jpy_major_many' }, minor: null },
} as const satisfies Record<string, SpokenCurrency>;

export type SpokenCurrencyCode = keyof typeof SPOKEN_CURRENCIES;

export const SPOKEN_CURRENCY_CODES: readonly SpokenCurrencyCode[] = Object.freeze(
  Object.keys(SPOKEN_CURRENCIES) as SpokenCurrencyCode[],
);

export function isSpokenCurrency(code: string): code is SpokenCurrencyCode {
  return Object.hasOwn(SPOKEN_CURRENCIES, code);
}

export const HOUR: CountNoun = { one: 'unit_hour_one', many: 'unit_hour_many' };
export const MINUTE: CountNoun = { one: 'unit_minute_one', many: 'unit_minute_many' };
export const SECOND: CountNoun = { one: 'unit_second_one', many: 'unit_second_many' };
