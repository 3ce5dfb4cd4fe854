import fs from 'node:fs';
import path from 'node:path';
import { Option } from 'commander';
import type { Command } from 'commander';
import type { BatchSpec, BatchSummary } from '../../billing/batches/batch-card';
import { endOfDayMs, formatExpiry, isoDay } from '../../billing/batches/batch-card';
import { BATCH_CSV_COLUMNS, batchCsvRecord, parseBatchFile } from '../../billing/batches/batch-csv';
import { generatedCards, MAX_GENERATE_COUNT } from '../../billing/batches/batch-generate';
import { batchByName } from '../../billing/batches/batches';
import { BatchLoadStoppedError, SLICE_MAX_ROWS, writeBatch, SerialTakenError } from '../../billing/batches/batch-writer';
import { CardNumberGenerator } from '../../billing/batches/digit-source';
import type { ExpiryPolicy } from '../../billing/cards/card';
import { formatMinor } from '../../billing/money/money';
import { CsvImportError } from '../../billing/batches/csv-rows';
import { SqliteDatabase } from '../../billing/store/sql/sqlite';
import type { Billing } from '../../billing/billing';
import { CliError, EXIT_FAILURE, EXIT_USAGE, output, withBilling } from './cli-context';
import type { GlobalOptions } from './cli-context';
import { amountFor, batchName, currencyCode, days, defaultOperator, isoDate, nonEmpty, wholeNumber } from './cli-options';
import { progressBar } from './progress';
import { recordOperatorEvent } from './audit';
import { SecretCsvFile } from './secret-csv-file';
import { EXIT_INTERRUPTED, interruptible } from './interrupt';

interface GenerateOptions {
  count: number;
  value: string;
  currency?: string;
  expires?: string;
  expiresAfterActivation?: number;
  expiresAfterFirstUse?: number;
  batch?: string;
  out: string;
  activate?: boolean;
  operator: string;
}

function expiryFrom(o: GenerateOptions, now_ms: number): ExpiryPolicy {
  const given = [o.expires, o.expiresAfterActivation, o.expiresAfterFirstUse].filter((v) => v !== undefined);
  if (given.length > 1) throw new CliError('choose one of --expires, --expires-after-activation, --expires-after-first-use', EXIT_USAGE);
  if (o.expires !== undefined) {
    const at = endOfDayMs(o.expires) as number;
    if (at <= now_ms) throw new CliError(`--expires: ${o.expires} is in the past (expected a future date as YYYY-MM-DD)`, EXIT_USAGE);
    return { kind: 'fixed', expires_at_ms: at };
  }
  if (o.expiresAfterActivation !== undefined) return { kind: 'after_activation', days: o.expiresAfterActivation };
  if (o.expiresAfterFirstUse !== undefined) return { kind: 'after_first_use', days: o.expiresAfterFirstUse };
  return { kind: 'none' };
}

/** SQLite bulk loads want a big page cache while the random-keyed UNIQUE index grows. */
function tuneForBulk(billing: Billing): void {
  if (billing.db instanceof SqliteDatabase) billing.db.raw.pragma('cache_size = -262144'); // 256 MiB for this process
}

/** A name already taken; an unfinished load says how to remove it. */
async function assertNameFree(billing: Billing, flag: string, name: string): Promise<void> {
  const existing = await batchByName(billing.db, name);
  if (!existing) return;
  const unfinished = existing.status === 'loading' || existing.status === 'discarding';
  throw new CliError(unfinished
    ? `${flag}: batch "${name}" is an unfinished load (${existing.card_count} cards staged, none usable); remove it with \`prepaid batches discard ${name}\` or choose another name`
    : `${flag}: a batch named "${name}" already exists (choose another name)`, EXIT_USAGE);
}

/** A load stopped by Ctrl-C, or discarded by an operator while it ran: what was staged is gone. */
function stoppedError(err: unknown, what: string): CliError | undefined {
  if (!(err instanceof BatchLoadStoppedError)) return undefined;
  return err.message === 'interrupted'
    ? new CliError(`interrupted: the partial batch was removed; nothing was ${what}`, EXIT_INTERRUPTED)
    : new CliError(`${err.message}; nothing was ${what}`, EXIT_FAILURE);
}

const defaultBatchName = (now_ms: number): string => `batch-${new Date(now_ms).toISOString().replace(/[:.]/g, '-').slice(0, 19)}`;

function batchText(b: BatchSummary, extra: string[] = []): string {
  return [
    `batch ${b.name} (id ${b.id}, ${b.source}, ${b.status}): ${b.card_count} cards, ${formatMinor(b.total_minor, b.currency)} ${b.currency} in total`,
    ...extra,
  ].join('\n');
}

export function addCardIssueCommands(cards: Command): void {
  cards.command('generate')
    .description('create a batch of new cards; writes their numbers and PINs to a CSV — the only time PINs are ever shown')
    .requiredOption('--count <n>', `how many cards (1 to ${MAX_GENERATE_COUNT})`, wholeNumber(1, MAX_GENERATE_COUNT))
    .requiredOption('--value <amount>', 'face value of each card, e.g. 10.00')
    .option('--currency <code>', 'ISO 4217 currency (default: DEFAULT_CURRENCY)', currencyCode)
    .addOption(new Option('--expires <date>', 'expires after this day (YYYY-MM-DD, UTC)').argParser(isoDate))
    .addOption(new Option('--expires-after-activation <days>', 'expires N days after activation, e.g. 90d').argParser(days))
    .addOption(new Option('--expires-after-first-use <days>', 'expires N days after the first call or payment, e.g. 90d').argParser(days))
    .option('--batch <name>', 'batch name (default: batch-<date-time>)', batchName)
    .requiredOption('--out <file.csv>', 'CSV to create (serial, card_number, pin, value, currency, expires); never overwritten, mode 0600')
    .option('--activate', 'activate the cards now (default: inactive until `batches activate`)')
    .option('--operator <name>', 'operator name for the books', nonEmpty('a name', 100), defaultOperator())
    .addHelpText('after', '\nExample:\n  prepaid cards generate --count 1000 --value 10.00 --batch shop-2026-01 --expires-after-activation 365d --out shop-2026-01.csv')
    .action(async (o: GenerateOptions, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const out = path.resolve(o.out);
      if (fs.existsSync(out)) throw new CliError(`--out: ${o.out} already exists; refusing to overwrite it (choose another name)`, EXIT_FAILURE);
      const started = Date.now();
      const summary = await withBilling(async (billing, config) => {
        const now_ms = billing.clock.now().getTime();
        const currency = o.currency ?? config.defaultCurrency;
        const value_minor = amountFor('--value', o.value, currency, { positive: true });
        const expiry = expiryFrom(o, now_ms);
        const spec: BatchSpec = { name: o.batch ?? defaultBatchName(now_ms), currency, status: o.activate ? 'active' : 'inactive', source: 'generated', actor: o.operator, value_minor };
        await assertNameFree(billing, '--batch', spec.name);
        tuneForBulk(billing);
        const numbers = new CardNumberGenerator(billing.policy.issuer_prefix);
        const file = SecretCsvFile.create(out, BATCH_CSV_COLUMNS);
        const bar = progressBar('generating', o.count);
        try {
          const b = await interruptible((signal) => writeBatch(billing.db, billing.hasher, now_ms, spec, {
            cards: (batch_id) => generatedCards(batch_id, { count: o.count, value_minor, expiry, pin_length: billing.policy.pin_length }, numbers, SLICE_MAX_ROWS),
            // After each slice has committed, outside the transaction: the CSV never holds the write lock.
            onChunk: (chunk) => file.write(chunk.map((c) => batchCsvRecord(c, currency))),
            beforePublish: () => file.finish(),
            signal,
            onTakenNumber: (c) => ({ ...c, number: numbers.next() }),
            onProgress: (n) => bar.update(n),
            onWritten: (q, b) => recordOperatorEvent(q, now_ms, { action: 'batch.generate', target_kind: 'batch', target_id: b.name, actor: o.operator, detail: { cards: b.card_count, file: path.basename(out) } }),
          }));
          file.publish();
          return { batch: b, expiry: formatExpiry(expiry) };
        } catch (err) {
          file.discard();
          if (err instanceof SerialTakenError) throw new CliError(`${err.message}; nothing was issued`, EXIT_FAILURE);
          throw stoppedError(err, 'issued') ?? err;
        } finally {
          bar.stop();
        }
      });
      const seconds = (Date.now() - started) / 1000;
      output(opts, { batch: summary.batch, file: out, expires: summary.expiry || null, seconds }, () => batchText(summary.batch, [
        `wrote ${out} (mode 0600) — it holds every number and PIN: store it safely; they are not kept anywhere else`,
        `expiry: ${summary.expiry || 'never'}`,
        `${summary.batch.card_count} cards in ${seconds.toFixed(1)} s`,
      ]));
    });

  cards.command('import')
    .description('import a pre-printed batch from a CSV (serial, card_number, pin, value, currency, expires) — all or nothing')
    .requiredOption('--file <file.csv>', 'the batch file')
    .option('--batch <name>', 'batch name (default: the file name without .csv)', batchName)
    .option('--activate', 'activate the cards now (default: inactive until `batches activate`)')
    .option('--operator <name>', 'operator name for the books', nonEmpty('a name', 100), defaultOperator())
    .addHelpText('after', `\nEvery row is checked first; a file with any bad row imports nothing and each problem is reported as
"line N: column: expected …". The expires column is empty, YYYY-MM-DD, "90d after activation" or "90d after first use".`)
    .action(async (o: { file: string; batch?: string; activate?: boolean; operator: string }, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      if (!fs.existsSync(o.file)) throw new CliError(`--file: ${o.file} does not exist`, EXIT_USAGE);
      const name = o.batch ?? batchName(path.basename(o.file).replace(/\.csv$/i, '').replace(/[^A-Za-z0-9._-]/g, '-'));
      const parsed = await parseBatchFile(fs.createReadStream(o.file)).catch((err: unknown) => {
        if (err instanceof CsvImportError) throw new CliError(`cannot import ${o.file} (${err.problems.length}${err.truncated ? '+' : ''} problem${err.problems.length === 1 ? '' : 's'}); nothing was imported:\n${err.message}`);
        throw err;
      });
      const b = await withBilling(async (billing) => {
        const now_ms = billing.clock.now().getTime();
        await assertNameFree(billing, '--batch', name);
        tuneForBulk(billing);
        const bar = progressBar('importing', parsed.cards.length);
        try {
          return await interruptible((signal) => writeBatch(billing.db, billing.hasher, now_ms, {
            name, currency: parsed.currency, status: o.activate ? 'active' : 'inactive', source: 'imported', actor: o.operator, value_minor: parsed.value_minor,
          }, {
            cards: () => [parsed.cards],
            signal,
            onTakenNumber: (c) => { throw new CliError(`cannot import ${o.file}; nothing was imported:\nline ${c.line}: card_number: this card number is already issued`); },
            onProgress: (n) => bar.update(n),
            onWritten: (q, written) => recordOperatorEvent(q, now_ms, { action: 'batch.import', target_kind: 'batch', target_id: written.name, actor: o.operator, detail: { file: path.basename(o.file), cards: written.card_count } }),
          }));
        } catch (err) {
          if (err instanceof SerialTakenError) throw new CliError(`cannot import ${o.file}; nothing was imported:\nline ${err.card.line}: serial: "${err.card.serial}" is already used by another card`);
          throw stoppedError(err, 'imported') ?? err;
        } finally {
          bar.stop();
        }
      });
      output(opts, { batch: b }, () => batchText(b, [`created ${isoDay(b.created_at_ms)} by ${b.actor}`]));
    });
}
