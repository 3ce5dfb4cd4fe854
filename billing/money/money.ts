import { BillingError } from '../shared/errors';
import { assertCurrency, currencyExponent } from './currency';

/** Money is an integer number of minor units and its ISO 4217 currency. Never a float. */
export interface Money {
  readonly amount_minor: number;
  readonly currency: string;
}

/** Largest amount accepted anywhere (a guard against overflow in sums): 10^13 minor units. */
export const MAX_AMOUNT_MINOR = 10_000_000_000_000;

export function money(amount_minor: number, currency: string): Money {
  assertMinor(amount_minor);
  return { amount_minor, currency: assertCurrency(currency) };
}

export function assertMinor(amount_minor: number, name = 'amount'): number {
  if (!Number.isSafeInteger(amount_minor) || Math.abs(amount_minor) > MAX_AMOUNT_MINOR) {
    throw new BillingError('validation_error', `${name} must be an integer number of minor units`);
  }
  return amount_minor;
}

/**
 * Parses a decimal string ("10", "10.5", "10.50", "-1.00") exactly into minor units of `currency`.
 * Rejects more decimals than the currency has, exponents, spaces, thousands separators.
 */
export function parseDecimal(text: string, currency: string, name = 'amount'): number {
  const exp = currencyExponent(currency);
  const m = /^(-)?(\d{1,15})(?:\.(\d+))?$/.exec(text.trim());
  if (!m) throw new BillingError('validation_error', `${name} "${text}" is not a decimal amount (expected e.g. 10.00)`);
  const [, sign, whole = '0', frac = ''] = m;
  if (frac.length > exp) {
    throw new BillingError('validation_error', `${name} "${text}" has more than ${exp} decimal places for ${currency}`);
  }
  const digits = whole + frac.padEnd(exp, '0');
  const value = Number(digits);
  assertMinor(value, name);
  return sign ? -value : value;
}

/** Formats minor units as a plain decimal string: 1250 USD → "12.50", -5 → "-0.05", JPY 500 → "500". */
export function formatMinor(amount_minor: number, currency: string): string {
  const exp = currencyExponent(currency);
  const neg = amount_minor < 0;
  const abs = String(Math.abs(amount_minor)).padStart(exp + 1, '0');
  const whole = exp === 0 ? abs : abs.slice(0, -exp);
  const frac = exp === 0 ? '' : `.${abs.slice(-exp)}`;
  return `${neg ? '-' : ''}${whole}${frac}`;
}
