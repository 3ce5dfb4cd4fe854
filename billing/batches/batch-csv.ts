import type { Readable } from 'node:stream';
import { z } from 'zod';
import { isLuhnValid } from '../cards/luhn';
import { isCurrency } from '../money/currency';
import { formatMinor, parseDecimal } from '../money/money';
import type { BatchCard } from './batch-card';
import { EXPIRY_FORMS, formatExpiry, parseExpiry } from './batch-card';
import { ProblemList, readCsvRows } from './csv-rows';

/** The columns of a card batch file, in the order `cards generate` writes them. */
export const BATCH_CSV_COLUMNS = ['serial', 'card_number', 'pin', 'value', 'currency', 'expires'] as const;

/** One CSV line for a card: the only place a PIN is ever written out. */
export function batchCsvRecord(c: BatchCard, currency: string): string[] {
  return [c.serial, c.number, c.pin, formatMinor(c.value_minor, currency), currency, formatExpiry(c.expiry)];
}

// Messages never repeat a card number or PIN: error output must not leak them.
const rowSchema = z.object({
  serial: z.string().regex(/^[A-Za-z0-9-]{1,32}$/, 'expected 1 to 32 letters, digits or dashes'),
  card_number: z.string().refine((s) => /^\d{16}$/.test(s) && isLuhnValid(s), 'expected 16 digits with a valid Luhn check digit'),
  pin: z.string().regex(/^\d{4,12}$/, 'expected 4 to 12 digits'),
  value: z.string().regex(/^\d{1,15}(\.\d+)?$/, 'expected a decimal amount such as 10.00'),
  currency: z.string().refine(isCurrency, 'expected an ISO 4217 code such as USD'),
  expires: z.string().refine((s) => parseExpiry(s) !== undefined, `expected ${EXPIRY_FORMS}`),
});

export interface ParsedBatchFile {
  cards: BatchCard[];
  currency: string;
  /** The common face value, or 0 when the file mixes values. */
  value_minor: number;
}

/**
 * Reads a pre-printed batch file, all or nothing: every row is validated, numbers and serials must
 * be distinct within the file, all rows share one currency. Throws CsvImportError naming lines.
 */
export async function parseBatchFile(input: Readable): Promise<ParsedBatchFile> {
  const problems = new ProblemList();
  const cards: BatchCard[] = [];
  const numbers = new Map<string, number>();
  const serials = new Map<string, number>();
  let currency: { code: string; line: number } | undefined;
  await readCsvRows(input, BATCH_CSV_COLUMNS, rowSchema, problems, (row, line) => {
    currency ??= { code: row.currency, line };
    if (row.currency !== currency.code) {
      problems.add(line, 'currency', `${row.currency} differs from ${currency.code} (line ${currency.line}); a batch has one currency`);
      return;
    }
    let value_minor: number;
    try {
      value_minor = parseDecimal(row.value, row.currency, 'value');
    } catch {
      problems.add(line, 'value', `"${row.value}" is not an amount in ${row.currency} (expected e.g. 10.00)`);
      return;
    }
    if (value_minor <= 0) {
      problems.add(line, 'value', 'expected an amount greater than zero');
      return;
    }
    const firstNumber = numbers.get(row.card_number);
    if (firstNumber !== undefined) {
      problems.add(line, 'card_number', `the same card number as line ${firstNumber}`);
      return;
    }
    const firstSerial = serials.get(row.serial);
    if (firstSerial !== undefined) {
      problems.add(line, 'serial', `"${row.serial}" is also on line ${firstSerial}`);
      return;
    }
    numbers.set(row.card_number, line);
    serials.set(row.serial, line);
    const expiry = parseExpiry(row.expires);
    if (!expiry) return; // validated by the schema
    cards.push({ number: row.card_number, pin: row.pin, serial: row.serial, value_minor, expiry, line });
  });
  if (!problems.items.length && cards.length === 0) problems.add(2, null, 'the file has no cards');
  problems.throwIfAny();
  const first = cards[0] as BatchCard;
  const same = cards.every((c) => c.value_minor === first.value_minor);
  return { cards, currency: (currency as { code: string }).code, value_minor: same ? first.value_minor : 0 };
}
