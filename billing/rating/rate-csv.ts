import type { Readable } from 'node:stream';
import { z } from 'zod';
import { ProblemList, readCsvRows } from '../batches/csv-rows';
import { currencyExponent } from '../money/currency';
import type { Rate } from './rate';
import { RATE_SCALE } from './rate';

/** The columns of a rate deck file. */
export const RATE_CSV_COLUMNS = ['prefix', 'destination', 'rate_per_minute', 'connect_fee', 'initial_increment', 'increment', 'minimum_charge', 'blocked'] as const;

const RATE_DECIMALS_EXTRA = Math.round(Math.log10(RATE_SCALE)); // 4

/** Exact decimal → integer of 10^-decimals units ("0.0125", 6 → 12500). Assumes the text matched its pattern. */
function toUnits(text: string, decimals: number): number {
  const [whole = '0', frac = ''] = text.split('.');
  return Number(whole + frac.padEnd(decimals, '0'));
}

/** Scaled integer → shortest decimal with at least `minDecimals` places. */
export function formatUnits(units: number, decimals: number, minDecimals: number): string {
  const s = String(Math.abs(units)).padStart(decimals + 1, '0');
  let frac = decimals ? s.slice(-decimals) : '';
  while (frac.length > minDecimals && frac.endsWith('0')) frac = frac.slice(0, -1);
  const whole = decimals ? s.slice(0, -decimals) : s;
  return `${units < 0 ? '-' : ''}${whole}${frac ? `.${frac}` : ''}`;
}

/** "0.0125" for a rate per minute in `currency` (the currency's decimals plus up to 4 more). */
export function formatRatePerMinute(scaled: number, currency: string): string {
  const exp = currencyExponent(currency);
  return formatUnits(scaled, exp + RATE_DECIMALS_EXTRA, exp);
}

const decimalPattern = (maxDecimals: number) => (maxDecimals === 0 ? '\\d{1,12}' : `\\d{1,12}(\\.\\d{1,${maxDecimals}})?`);
const decimalForm = (maxDecimals: number, example: string) =>
  maxDecimals === 0 ? `a whole number, e.g. ${example}` : `a decimal with up to ${maxDecimals} decimal places, e.g. ${example}`;
const decimal = (maxDecimals: number, example: string) =>
  z.string().regex(new RegExp(`^${decimalPattern(maxDecimals)}$`), `expected ${decimalForm(maxDecimals, example)}`);
const optionalDecimal = (maxDecimals: number, example: string) =>
  z.string().regex(new RegExp(`^(${decimalPattern(maxDecimals)})?$`), `expected empty (0) or ${decimalForm(maxDecimals, example)}`);
const seconds = z.string().regex(/^\d{1,4}$/, 'expected whole seconds from 1 to 3600, e.g. 60')
  .refine((s) => Number(s) >= 1 && Number(s) <= 3600, 'expected whole seconds from 1 to 3600, e.g. 60');
const BLOCKED = new Map([['', false], ['no', false], ['false', false], ['0', false], ['yes', true], ['true', true], ['1', true]]);

function rowSchema(currency: string) {
  const exp = currencyExponent(currency);
  const money = exp === 0 ? '5' : `0.${'0'.repeat(exp - 1)}5`;
  return z.object({
    prefix: z.string().regex(/^\+?\d{1,15}$/, 'expected 1 to 15 digits (a leading + is allowed)'),
    destination: z.string().min(1, 'expected a name of 1 to 200 characters').max(200, 'expected a name of 1 to 200 characters'),
    rate_per_minute: decimal(exp + RATE_DECIMALS_EXTRA, exp === 0 ? '1.25' : '0.0125'),
    connect_fee: optionalDecimal(exp, money),
    initial_increment: seconds,
    increment: seconds,
    minimum_charge: optionalDecimal(exp, money),
    blocked: z.string().refine((s) => BLOCKED.has(s.toLowerCase()), 'expected yes, no, true, false, 1, 0 (or empty for no)'),
  });
}

/**
 * Reads a rate deck file in `currency`, all or nothing: every row validated, prefixes distinct.
 * Throws CsvImportError naming lines and columns; never drops a row silently.
 */
export async function parseRateDeck(input: Readable, currency: string): Promise<Rate[]> {
  const exp = currencyExponent(currency);
  const problems = new ProblemList();
  const rates: Rate[] = [];
  const prefixes = new Map<string, number>();
  await readCsvRows(input, RATE_CSV_COLUMNS, rowSchema(currency), problems, (row, line) => {
    const prefix = row.prefix.replace(/^\+/, '');
    const first = prefixes.get(prefix);
    if (first !== undefined) {
      problems.add(line, 'prefix', `${prefix} is also on line ${first}; each prefix once`);
      return;
    }
    prefixes.set(prefix, line);
    rates.push({
      prefix,
      destination: row.destination,
      rate_per_minute_scaled: toUnits(row.rate_per_minute, exp + RATE_DECIMALS_EXTRA),
      connect_fee_minor: row.connect_fee ? toUnits(row.connect_fee, exp) : 0,
      initial_increment_s: Number(row.initial_increment),
      increment_s: Number(row.increment),
      min_charge_minor: row.minimum_charge ? toUnits(row.minimum_charge, exp) : 0,
      blocked: BLOCKED.get(row.blocked.toLowerCase()) === true,
    });
  });
  if (!problems.items.length && rates.length === 0) problems.add(2, null, 'the file has no rates');
  problems.throwIfAny();
  return rates;
}

export interface DeckDiff {
  added: number;
  removed: number;
  changed: number;
  unchanged: number;
  examples: { added: Rate[]; removed: Rate[]; changed: Array<{ before: Rate; after: Rate }> };
}

const sameRate = (a: Rate, b: Rate): boolean =>
  a.destination === b.destination && a.rate_per_minute_scaled === b.rate_per_minute_scaled && a.connect_fee_minor === b.connect_fee_minor &&
  a.initial_increment_s === b.initial_increment_s && a.increment_s === b.increment_s && a.min_charge_minor === b.min_charge_minor && a.blocked === b.blocked;

const strip = (r: Rate): Rate => ({
  prefix: r.prefix, destination: r.destination, rate_per_minute_scaled: r.rate_per_minute_scaled, connect_fee_minor: r.connect_fee_minor,
  initial_increment_s: r.initial_increment_s, increment_s: r.increment_s, min_charge_minor: r.min_charge_minor, blocked: r.blocked,
});

/** What switching from `current` to `next` changes, with a few examples of each kind. */
export function diffDecks(current: readonly Rate[], next: readonly Rate[], examples = 3): DeckDiff {
  const before = new Map(current.map((r) => [r.prefix, r]));
  const d: DeckDiff = { added: 0, removed: 0, changed: 0, unchanged: 0, examples: { added: [], removed: [], changed: [] } };
  const seen = new Set<string>();
  for (const r of next) {
    seen.add(r.prefix);
    const old = before.get(r.prefix);
    if (!old) {
      d.added++;
      if (d.examples.added.length < examples) d.examples.added.push(strip(r));
    } else if (!sameRate(old, r)) {
      d.changed++;
      if (d.examples.changed.length < examples) d.examples.changed.push({ before: strip(old), after: strip(r) });
    } else {
      d.unchanged++;
    }
  }
  for (const r of current) {
    if (seen.has(r.prefix)) continue;
    d.removed++;
    if (d.examples.removed.length < examples) d.examples.removed.push(strip(r));
  }
  return d;
}
