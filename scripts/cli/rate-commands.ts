import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { isCarrierDeckName } from '../../billing/carriers/carrier-deck';
import { activeDeck, DEFAULT_DECK, importDeck, lookupRate } from '../../billing/rating/rate-store';
import { CliError, EXIT_FAILURE, EXIT_USAGE, output, withBilling } from './cli-context';
import type { GlobalOptions } from './cli-context';
import { currencyCode, defaultOperator, nonEmpty } from './cli-options';
import { recordOperatorEvent } from './audit';
import { diffText, importDeckFile } from './deck-import';
import { rateJson, rateText } from './rate-text';

const deckName = (text: string): string => {
  const name = nonEmpty('a deck name', 100)(text);
  if (isCarrierDeckName(name)) throw new InvalidArgumentError('"carrier:…" names are carriers\' buy decks: use `prepaid carriers rates import --carrier NAME`');
  return name;
};

export function registerRateCommands(program: Command): void {
  const rates = program.command('rates').description('rate decks: import (atomic switch), show which rate applies, list decks');

  rates.command('import')
    .description('load a rate deck from a CSV, preview the difference to the live deck, then switch to it atomically')
    .requiredOption('--file <file.csv>', 'columns: prefix, destination, rate_per_minute, connect_fee, initial_increment, increment, minimum_charge, blocked')
    .option('--deck <name>', `deck name (default: the deck calls are rated from, RATE_DECK, itself "${DEFAULT_DECK}" by default)`, deckName)
    .option('--currency <code>', 'currency of the amounts (default: DEFAULT_CURRENCY)', currencyCode)
    .option('--dry-run', 'validate and preview only; change nothing')
    .option('--operator <name>', 'operator name for the audit trail', nonEmpty('a name', 100), defaultOperator())
    .addHelpText('after', `
rate_per_minute has up to the currency's decimals + 4 (USD: 0.0125 = 1.25 cents a minute); connect_fee and
minimum_charge are amounts (empty = 0); increments are seconds (60/60, 30/6, 1/1); blocked is yes/no/true/false/1/0.
Every row is checked first; a file with any bad row imports nothing ("line N: column: expected …").
Calls are rated from ONE deck, named by RATE_DECK (default "${DEFAULT_DECK}"); importing another deck is allowed
(e.g. to prepare a switch) and says so. Calls see the old deck until the switch; calls in progress keep the
rate they started with.`)
    .action(async (o: { file: string; deck?: string; currency?: string; dryRun?: boolean; operator: string }, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const result = await withBilling(async (billing, config) => {
        const callsDeck = config.ivr.rateDeck;
        const deck = o.deck ?? callsDeck;
        const currency = o.currency ?? config.defaultCurrency;
        const live = await activeDeck(billing.db, deck);
        const r = await importDeckFile(billing, { file: o.file, currency, dryRun: Boolean(o.dryRun), live }, async (parsed, diff, onProgress) => {
          const loaded = await importDeck(billing.db, deck, currency, parsed, billing.clock.now().getTime(), onProgress);
          await billing.tx((ctx) => recordOperatorEvent(ctx.q, ctx.now_ms, { action: 'deck.import', target_kind: 'deck', target_id: deck, actor: o.operator, detail: { version: loaded.id, rows: loaded.row_count, added: diff.added, removed: diff.removed, changed: diff.changed } }));
          return loaded;
        });
        return { deck, calls_rated_from: callsDeck, used_by_calls: deck === callsDeck, ...r };
      });
      if (!result.used_by_calls) {
        // On stderr, also with --json: an operator loading a deck that calls will not use should hear of it.
        process.stderr.write(`warning: calls are rated from deck "${result.calls_rated_from}" (RATE_DECK), not "${result.deck}": this import does not change what calls cost\n`);
      }
      output(opts, result, () => [
        `${o.file}: ${result.rows} valid rows for deck "${result.deck}" (${result.currency})`,
        result.used_by_calls ? `calls are rated from this deck (RATE_DECK="${result.calls_rated_from}")` : '',
        result.previous && result.previous.currency !== result.currency ? `warning: the live deck is in ${result.previous.currency}` : '',
        diffText(result.diff, result.currency, result.previous?.row_count ?? null),
        result.activated ? `switched deck "${result.deck}" to version ${result.activated.id} (${result.activated.row_count} rows), atomically` : 'dry run: nothing changed',
      ].filter(Boolean).join('\n'));
    });

  rates.command('show')
    .description('which rate applies to a number (longest prefix match in the live deck)')
    .argument('<number>', 'dialled number, E.164 with or without +, e.g. +442071234567')
    .option('--deck <name>', 'deck name (default: the deck calls are rated from, RATE_DECK)', deckName)
    .action(async (number: string, o: { deck?: string }, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const digits = number.replace(/[\s()+-]/g, '');
      if (!/^\d{1,15}$/.test(digits)) throw new CliError(`<number>: "${number}" is not a phone number (expected 1 to 15 digits, e.g. +442071234567)`, EXIT_USAGE);
      const { rate, deck } = await withBilling(async (billing, config) => {
        const name = o.deck ?? config.ivr.rateDeck;
        return { deck: name, rate: await lookupRate(billing.db, digits, name) };
      });
      if (!rate) {
        output(opts, { number: digits, deck, rate: null }, () => `+${digits}: no rate in deck "${deck}" (calls to it are refused as unknown destinations)`);
        throw new CliError('', EXIT_FAILURE);
      }
      output(opts, { number: digits, deck, rate: rateJson(rate, rate.currency) }, () => `+${digits} → ${rateText(rate, rate.currency)} (deck "${deck}")`);
    });

  rates.command('decks')
    .description('rate deck versions: live, loading and retired, and which deck calls are rated from')
    .action(async (_o, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const { decks, callsDeck } = await withBilling(async (billing, config) => ({
        callsDeck: config.ivr.rateDeck,
        decks: await billing.db.all<{ id: number; name: string; currency: string; status: string; row_count: number; created_at_ms: number; activated_at_ms: number | null }>(
          'SELECT id, name, currency, status, row_count, created_at_ms, activated_at_ms FROM rate_decks WHERE carrier_id IS NULL ORDER BY name, id'),
      }));
      const used = (d: { name: string; status: string }): boolean => d.name === callsDeck && d.status === 'active';
      output(opts, { calls_rated_from: callsDeck, decks }, () => [
        ...decks.map((d) => `${String(d.id).padStart(4)}  ${d.name.padEnd(16)} ${d.status.padEnd(8)} ${d.currency}  ${String(d.row_count).padStart(8)} rows  created ${new Date(d.created_at_ms).toISOString()}${used(d) ? '  ← calls' : ''}`),
        decks.length ? '' : 'no rate decks yet (load one with `prepaid rates import --file deck.csv`)',
        `calls are rated from deck "${callsDeck}" (RATE_DECK)${decks.some(used) ? '' : ', which has no live version: every destination is refused'}`,
      ].filter(Boolean).join('\n'));
    });
}
