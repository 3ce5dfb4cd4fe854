import { parse } from 'csv-parse';
import type { Readable } from 'node:stream';
import type { z } from 'zod';
import { BillingError } from '../shared/errors';

/** One problem of an imported file, located by line (1 = the header) and column. */
export interface LineProblem {
  line: number;
  column: string | null;
  message: string;
}

/** A file that cannot be imported: every problem found (up to a bound), nothing imported. */
export class CsvImportError extends BillingError {
  constructor(readonly problems: readonly LineProblem[], readonly truncated = false) {
    super('validation_error', problems.map(formatProblem).join('\n') + (truncated ? '\n… (more problems not shown)' : ''));
  }
}

export const formatProblem = (p: LineProblem): string => `line ${p.line}: ${p.column ? `${p.column}: ` : ''}${p.message}`;

export const MAX_PROBLEMS = 20;

/** Collects line problems; stops the import once MAX_PROBLEMS are known. */
export class ProblemList {
  readonly items: LineProblem[] = [];
  truncated = false;
  add(line: number, column: string | null, message: string): void {
    if (this.items.length >= MAX_PROBLEMS) {
      this.truncated = true;
      return;
    }
    this.items.push({ line, column, message });
  }
  get full(): boolean { return this.truncated; }
  throwIfAny(): void {
    if (this.items.length) throw new CsvImportError(this.items, this.truncated);
  }
}

/**
 * Reads a CSV with a header naming exactly `columns` (any order, case-insensitive), validating each
 * row with `schema` (zod); `onRow` receives the parsed row and its line. Problems are collected with
 * line numbers; the caller imports nothing when any is found. `secret` columns never echo their value.
 */
export async function readCsvRows<S extends z.ZodObject>(
  input: Readable,
  columns: readonly string[],
  schema: S,
  problems: ProblemList,
  onRow: (row: z.infer<S>, line: number) => void,
): Promise<number> {
  const parser = input.pipe(parse({ info: true, skip_empty_lines: true, bom: true, trim: true, relax_column_count: true }));
  let header: string[] | undefined;
  let rows = 0;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const line = info.lines;
      if (!header) {
        header = record.map((h) => h.toLowerCase());
        const missing = columns.filter((c) => !header?.includes(c));
        // Never echo a value that may be a card number or PIN (a file without its header line).
        const extra = header.filter((h) => !columns.includes(h)).map((h) => (/\d{3,}/.test(h) ? '(a value, not a column name: is the header line missing?)' : h));
        if (missing.length || extra.length) {
          problems.add(line, null, `header must name the columns ${columns.join(', ')}${missing.length ? `; missing ${missing.join(', ')}` : ''}${extra.length ? `; unknown ${extra.join(', ')}` : ''}`);
          break;
        }
        continue;
      }
      rows++;
      if (record.length !== header.length) {
        problems.add(line, null, `expected ${header.length} fields, found ${record.length}`);
        if (problems.full) break;
        continue;
      }
      const obj: Record<string, string> = {};
      header.forEach((h, i) => { obj[h] = record[i] as string; });
      const parsed = schema.safeParse(obj);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) problems.add(line, String(issue.path[0] ?? ''), issue.message);
        if (problems.full) break;
        continue;
      }
      onRow(parsed.data, line);
      if (problems.full) break;
    }
  } catch (err) {
    const e = err as { code?: string; lines?: number; message?: string };
    if (!e.code?.startsWith('CSV_')) throw err;
    problems.add(e.lines ?? 0, null, `malformed CSV (${e.code})`);
  }
  if (!header) problems.add(1, null, `the file is empty; expected a header naming ${columns.join(', ')}`);
  return rows;
}
