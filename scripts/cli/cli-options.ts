import os from 'node:os';
import { InvalidArgumentError } from 'commander';
import { endOfDayMs } from '../../billing/batches/batch-card';
import { isCurrency } from '../../billing/money/currency';
import { parseDecimal } from '../../billing/money/money';
import { CliError, EXIT_USAGE } from './cli-context';

/**
 * Option parsers: a bad value is a usage error (exit 2) that names the flag and the expected form.
 * Commander calls these and prints "option '--count <n>' argument 'x' is invalid. expected …".
 */
export const wholeNumber = (min: number, max: number) => (text: string): number => {
  if (!/^\d{1,9}$/.test(text.replace(/_/g, '')) || Number(text.replace(/_/g, '')) < min || Number(text.replace(/_/g, '')) > max) {
    throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
  }
  return Number(text.replace(/_/g, ''));
};

export function currencyCode(text: string): string {
  const c = text.trim().toUpperCase();
  if (!isCurrency(c)) throw new InvalidArgumentError('expected an ISO 4217 currency code such as USD');
  return c;
}

/** `90d` → 90 (days, 1 to 3650). */
export function days(text: string): number {
  const m = /^(\d{1,4})d$/.exec(text.trim());
  if (!m || Number(m[1]) < 1 || Number(m[1]) > 3650) throw new InvalidArgumentError('expected a number of days such as 90d (1d to 3650d)');
  return Number(m[1]);
}

/** `YYYY-MM-DD` → the day itself (validated), kept as text. */
export function isoDate(text: string): string {
  if (endOfDayMs(text.trim()) === undefined) throw new InvalidArgumentError('expected a date as YYYY-MM-DD');
  return text.trim();
}

export function nonEmpty(what: string, max = 200) {
  return (text: string): string => {
    const t = text.trim();
    if (!t || t.length > max) throw new InvalidArgumentError(`expected ${what} of 1 to ${max} characters`);
    return t;
  };
}

export const batchName = (text: string): string => {
  const t = text.trim();
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(t)) throw new InvalidArgumentError('expected 1 to 100 letters, digits, dots, dashes or underscores');
  return t;
};

/** A decimal amount for `currency`, parsed exactly; a usage error naming `flag` otherwise. */
export function amountFor(flag: string, text: string, currency: string, opts: { positive?: boolean; nonZero?: boolean } = {}): number {
  let minor: number;
  try {
    minor = parseDecimal(text, currency, flag);
  } catch {
    throw new CliError(`${flag}: "${text}" is not an amount in ${currency} (expected e.g. 10.00)`, EXIT_USAGE);
  }
  if (opts.positive && minor <= 0) throw new CliError(`${flag}: expected an amount greater than zero, such as 10.00`, EXIT_USAGE);
  if (opts.nonZero && minor === 0) throw new CliError(`${flag}: expected a non-zero amount such as -1.00 or 5.00`, EXIT_USAGE);
  return minor;
}

/** The operator's name for the books: --operator, else the login name. */
export function defaultOperator(): string {
  try {
    return os.userInfo().username || 'operator';
  } catch {
    return 'operator';
  }
}
