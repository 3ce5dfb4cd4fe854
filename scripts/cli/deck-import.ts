import fs from 'node:fs';
import type { Billing } from '../../billing/billing';
import { CsvImportError } from '../../billing/batches/csv-rows';
import type { Rate } from '../../billing/rating/rate';
import { diffDecks, parseRateDeck } from '../../billing/rating/rate-csv';
import type { DeckDiff } from '../../billing/rating/rate-csv';
import type { DeckSummary } from '../../billing/rating/rate-store';
import { deckRates } from '../../billing/rating/rate-store';
import { CliError, EXIT_FAILURE, EXIT_USAGE } from './cli-context';
import { progressBar } from './progress';
import { rateText } from './rate-text';

export interface DeckImportResult {
  rows: number;
  currency: string;
  previous: DeckSummary | null;
  diff: DeckDiff;
  dry_run: boolean;
  activated: DeckSummary | null;
}

/**
 * The one import flow of sell decks (`rates import`) and carrier buy decks (`carriers rates
 * import`): parse the whole file (any bad row rejects it, naming its line), preview the difference
 * to the live version, then — unless a dry run — load beside it and switch atomically.
 */
export async function importDeckFile(
  billing: Billing,
  o: { file: string; currency: string; dryRun: boolean; live: DeckSummary | undefined },
  load: (rates: Rate[], diff: DeckDiff, onProgress: (done: number) => void) => Promise<DeckSummary>,
): Promise<DeckImportResult> {
  if (!fs.existsSync(o.file)) throw new CliError(`--file: ${o.file} does not exist`, EXIT_USAGE);
  const parsed = await parseRateDeck(fs.createReadStream(o.file), o.currency).catch((err: unknown) => {
    if (err instanceof CsvImportError) throw new CliError(`cannot import ${o.file} (${err.problems.length}${err.truncated ? '+' : ''} problem${err.problems.length === 1 ? '' : 's'}); nothing was imported:\n${err.message}`, EXIT_FAILURE);
    throw err;
  });
  const diff = diffDecks(o.live ? await deckRates(billing.db, o.live.id) : [], parsed);
  const base = { currency: o.currency, rows: parsed.length, previous: o.live ?? null, diff, dry_run: o.dryRun };
  if (o.dryRun) return { ...base, activated: null };
  const bar = progressBar('loading rates', parsed.length);
  try {
    return { ...base, activated: await load(parsed, diff, (n) => bar.update(n)) };
  } finally {
    bar.stop();
  }
}

export function diffText(d: DeckDiff, currency: string, fromRows: number | null, none = 'no active deck of that name yet: every row is new'): string {
  const lines = [
    fromRows === null ? none : `against the active deck (${fromRows} rows):`,
    `  added ${d.added}, removed ${d.removed}, changed ${d.changed}, unchanged ${d.unchanged}`,
  ];
  for (const r of d.examples.added) lines.push(`  + ${rateText(r, currency)}`);
  for (const r of d.examples.removed) lines.push(`  - ${rateText(r, currency)}`);
  for (const c of d.examples.changed) lines.push(`  ~ ${rateText(c.before, currency)}\n    → ${rateText(c.after, currency)}`);
  return lines.join('\n');
}
