import { BillingError } from '../shared/errors';

const KNOWN = new Set(Intl.supportedValuesOf('currency'));
const exponentCache = new Map<string, number>();

export function isCurrency(code: string): boolean {
  return /^[A-Z]{3}$/.test(code) && KNOWN.has(code);
}

export function assertCurrency(code: string): string {
  if (!isCurrency(code)) throw new BillingError('validation_error', `unknown currency "${code}" (expected an ISO 4217 code such as USD)`);
  return code;
}

/** Number of minor-unit digits (USD 2, JPY 0, BHD 3), from ICU's ISO 4217 data. */
export function currencyExponent(code: string): number {
  let exp = exponentCache.get(code);
  if (exp === undefined) {
    assertCurrency(code);
    exp = new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions().maximumFractionDigits ?? 2;
    exponentCache.set(code, exp);
  }
  return exp;
}
