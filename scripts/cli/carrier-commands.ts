import fs from 'node:fs';
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import type { Carrier, CarrierInput } from '../../billing/carriers/carrier';
import { CARRIER_DEFAULTS, CARRIER_NAME, TRANSPORTS } from '../../billing/carriers/carrier';
import { activeCarrierDeck, carrierDeckVersions, importCarrierDeck } from '../../billing/carriers/carrier-deck';
import { carrierByName, insertCarrier, listCarriers, updateCarrier } from '../../billing/carriers/carrier-store';
import type { DeckSummary } from '../../billing/rating/rate-store';
import { activeDeck } from '../../billing/rating/rate-store';
import { isBillingError } from '../../billing/shared/errors';
import type { TxContext } from '../../billing/shared/context';
import { CliError, EXIT_FAILURE, EXIT_USAGE, output, withBilling } from './cli-context';
import type { GlobalOptions } from './cli-context';
import { currencyCode, defaultOperator, nonEmpty, wholeNumber } from './cli-options';
import { recordOperatorEvent } from './audit';
import { diffText, importDeckFile } from './deck-import';

const carrierName = (text: string): string => {
  if (!CARRIER_NAME.test(text.trim())) throw new InvalidArgumentError('expected 1 to 100 letters, digits, dots, dashes or underscores');
  return text.trim();
};
/** A limit, or 'unlimited' (commander turns a parser's null into '', so the word is kept until patchFrom). */
const limitOrUnlimited = (text: string): number | 'unlimited' => (/^(unlimited|none)$/i.test(text.trim()) ? 'unlimited' : wholeNumber(1, 1_000_000)(text.trim()));
const limit = (v: number | 'unlimited'): number | null => (v === 'unlimited' ? null : v);
const priority = (text: string): number => {
  if (!/^-?\d{1,4}$/.test(text.trim()) || Math.abs(Number(text)) > 1000) throw new InvalidArgumentError('expected a whole number from -1000 to 1000 (lower is tried first)');
  return Number(text);
};
const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), ...value.split(',').map((s) => s.trim()).filter(Boolean)];

/** The flag that sets each field, to name it in errors. */
const FLAG: Record<string, string> = {
  name: '--name', sip_uri: '--uri', transport: '--transport', tech_prefix: '--tech-prefix', send_plus: '--send-plus', max_concurrent: '--max-concurrent',
  cps: '--cps', sources: '--source', enabled: '--disabled', priority: '--priority', allow_loss: '--allow-loss',
};

/** A store error about a field becomes a usage error naming its flag (exit 2); a taken name is a failure (exit 1). */
async function asCli<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isBillingError(err) && typeof err.details?.field === 'string') {
      const field = err.details.field;
      const flag = FLAG[field] ?? field;
      const message = err.message.startsWith(`${field}: `) ? err.message.slice(field.length + 2) : err.message;
      throw new CliError(`${flag}: ${message}`, err.code === 'validation_error' ? EXIT_USAGE : EXIT_FAILURE);
    }
    throw err;
  }
}

async function mustFind(ctx: TxContext, name: string): Promise<Carrier> {
  const c = await carrierByName(ctx.q, name);
  if (!c) throw new CliError(`no carrier named "${name}" (see \`prepaid carriers list\`)`, EXIT_FAILURE);
  return c;
}

const capacityText = (c: Carrier) => `${c.max_concurrent ?? 'unlimited'} calls, ${c.cps ?? 'unlimited'} cps`;
const deckText = (d: DeckSummary | null | undefined) => (d ? `version ${d.id}, ${d.row_count} rows, ${d.currency}` : 'no buy deck (never a candidate)');

function carrierText(c: Carrier, deck: DeckSummary | null, versions?: DeckSummary[]): string {
  const lines = [
    `carrier ${c.name} (id ${c.id}): ${c.enabled ? 'enabled' : 'DISABLED'}`,
    `  SIP target   ${c.sip_uri} over ${c.transport}; dialled as ${c.tech_prefix ? `${c.tech_prefix}` : ''}${c.send_plus ? '+' : ''}<E.164 digits>`,
    `  capacity     ${capacityText(c)}`,
    `  sources      ${c.sources.length ? c.sources.join(', ') : 'none (inbound calls from it are refused)'}`,
    `  priority     ${c.priority} (lower first among equal buy rates)`,
    `  at a loss    ${c.allow_loss ? 'allowed' : 'never (skipped when buy > sell)'}`,
    `  buy deck     ${deckText(deck)}`,
  ];
  if (versions?.length) lines.push(...versions.slice(0, 5).map((v) => `    v${v.id} ${v.status.padEnd(8)} ${String(v.row_count).padStart(8)} rows ${v.currency}${v.activated_at_ms ? `  activated ${new Date(v.activated_at_ms).toISOString()}` : ''}`));
  return lines.join('\n');
}

interface CarrierOptions {
  name?: string; uri?: string; transport?: CarrierInput['transport']; techPrefix?: string; sendPlus?: boolean; maxConcurrent?: number | 'unlimited';
  cps?: number | 'unlimited'; source?: string[]; sources?: boolean; priority?: number; allowLoss?: boolean; disabled?: boolean; rename?: string; operator: string;
}

/** The fields the options set (undefined: left as they are). */
function patchFrom(o: CarrierOptions): Partial<CarrierInput> {
  const p: Partial<CarrierInput> = {};
  if (o.uri !== undefined) p.sip_uri = o.uri;
  if (o.transport !== undefined) p.transport = o.transport;
  if (o.techPrefix !== undefined) p.tech_prefix = o.techPrefix;
  if (o.sendPlus !== undefined) p.send_plus = o.sendPlus;
  if (o.maxConcurrent !== undefined) p.max_concurrent = limit(o.maxConcurrent);
  if (o.cps !== undefined) p.cps = limit(o.cps);
  if (o.source !== undefined) p.sources = o.source;
  if (o.sources === false) p.sources = [];
  if (o.priority !== undefined) p.priority = o.priority;
  if (o.allowLoss !== undefined) p.allow_loss = o.allowLoss;
  return p;
}

const operatorOption = () => new Option('--operator <name>', 'operator name for the audit trail').argParser(nonEmpty('a name', 100)).default(defaultOperator());

/** Options shared by `add` and `set`. */
function carrierOptions(cmd: Command, forSet: boolean): Command {
  return cmd
    .addOption(new Option('--transport <transport>', `SIP transport${forSet ? '' : ' (default udp)'}`).choices(TRANSPORTS))
    .option('--tech-prefix <digits>', 'digits the carrier wants before the number ("" for none)', (t: string) => {
      if (!/^\d{0,20}$/.test(t.trim())) throw new InvalidArgumentError('expected up to 20 digits, or "" for none');
      return t.trim();
    })
    .option('--send-plus', "send '+' before the E.164 digits")
    .option('--max-concurrent <n>', 'most simultaneous calls through it (or "unlimited")', limitOrUnlimited)
    .option('--cps <n>', 'most new calls per second (or "unlimited")', limitOrUnlimited)
    .option('--source <address>', `an address or CIDR it sends inbound calls from (repeat, or comma-separate${forSet ? '; replaces the list' : ''})`, collect)
    .option('--priority <n>', 'static priority among equal buy rates, lower first (-1000 to 1000, default 0)', priority)
    .option('--allow-loss', 'may be routed even when its buy rate exceeds the sell rate');
}

export function registerCarrierCommands(program: Command): void {
  const carriers = program.command('carriers').description('carriers (SIP trunks we buy termination from) and their buy decks');

  carrierOptions(carriers.command('add'), false)
    .description('add a carrier: where outbound calls go, its capacity and inbound sources')
    .requiredOption('--name <name>', 'carrier name (letters, digits, . _ -)', carrierName)
    .requiredOption('--uri <sip-uri>', 'SIP target, e.g. sip:gw1.example.net:5060')
    .option('--disabled', 'add it disabled (not routed to until `carriers enable`)')
    .addOption(operatorOption())
    .action(async (o: CarrierOptions, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const c = await withBilling((billing) => asCli(() => billing.tx(async (ctx) => {
        const added = await insertCarrier(ctx.q, ctx.now_ms, { ...CARRIER_DEFAULTS, name: o.name as string, sip_uri: o.uri as string, ...patchFrom(o), enabled: !o.disabled });
        await recordOperatorEvent(ctx.q, ctx.now_ms, { action: 'carrier.add', target_kind: 'carrier', target_id: added.name, actor: o.operator });
        return added;
      })));
      output(opts, { carrier: c }, () => `${carrierText(c, null)}\nnext: load its buy rates with \`prepaid carriers rates import --carrier ${c.name} --file rates.csv\``);
    });

  carriers.command('list')
    .description('every carrier with its target, priority, capacity and live buy deck')
    .action(async (_o, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const list = await withBilling(async (billing) => Promise.all((await listCarriers(billing.db)).map(async (c) => ({ ...c, buy_deck: (await activeCarrierDeck(billing.db, c.id)) ?? null }))));
      output(opts, { carriers: list }, () => {
        if (!list.length) return 'no carriers yet (add one with `prepaid carriers add --name NAME --uri sip:HOST`)';
        const rows = list.map((c) => [c.name, c.enabled ? 'enabled' : 'disabled', c.sip_uri, c.transport, String(c.priority), c.allow_loss ? 'yes' : 'no', capacityText(c),
          c.buy_deck ? `v${c.buy_deck.id} ${c.buy_deck.row_count} rows ${c.buy_deck.currency}` : 'none']);
        const head = ['name', 'status', 'SIP target', 'transport', 'priority', 'loss ok', 'capacity', 'buy deck'];
        const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
        return [head, ...rows].map((r) => r.map((cell, i) => cell.padEnd(widths[i] as number)).join('  ').trimEnd()).join('\n');
      });
    });

  carriers.command('show')
    .description('one carrier in full, with its buy deck versions')
    .argument('<name>', 'carrier name')
    .action(async (name: string, _o, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const r = await withBilling(async (billing) => {
        const c = await mustFind(billing.read(), name);
        const versions = await carrierDeckVersions(billing.db, c.id);
        return { carrier: c, buy_deck: versions.find((v) => v.status === 'active') ?? null, deck_versions: versions };
      });
      output(opts, r, () => carrierText(r.carrier, r.buy_deck, r.deck_versions));
    });

  const toggle = (name: 'enable' | 'disable', enabled: boolean, description: string) => carriers.command(name)
    .description(description)
    .argument('<name>', 'carrier name')
    .addOption(operatorOption())
    .action(async (carrier: string, o: { operator: string }, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const c = await withBilling((billing) => billing.tx(async (ctx) => {
        const found = await mustFind(ctx, carrier);
        const updated = await updateCarrier(ctx.q, ctx.now_ms, found.id, { enabled });
        await recordOperatorEvent(ctx.q, ctx.now_ms, { action: `carrier.${name}`, target_kind: 'carrier', target_id: found.name, actor: o.operator });
        return updated;
      }));
      output(opts, { carrier: c }, () => `carrier ${c.name}: ${enabled ? 'enabled — routed to from the next ranking' : 'disabled — no new call is routed to it'}`);
    });
  toggle('enable', true, 'route calls to a carrier again');
  toggle('disable', false, 'stop routing new calls to a carrier (calls in progress are not touched)');

  carrierOptions(carriers.command('set'), true)
    .description('change a carrier: only the options given change')
    .argument('<name>', 'carrier name')
    .option('--uri <sip-uri>', 'SIP target, e.g. sip:gw1.example.net:5060')
    .option('--no-send-plus', "send the digits without '+'")
    .option('--no-sources', 'remove every inbound source')
    .option('--no-allow-loss', 'never route at a loss again')
    .option('--rename <name>', 'a new name', carrierName)
    .addOption(operatorOption())
    .action(async (carrier: string, o: CarrierOptions, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const patch = { ...patchFrom(o), ...(o.rename !== undefined && { name: o.rename }) };
      if (!Object.keys(patch).length) throw new CliError('nothing to change: give at least one option (see `prepaid carriers set --help`)', EXIT_USAGE);
      const c = await withBilling((billing) => asCli(() => billing.tx(async (ctx) => {
        const found = await mustFind(ctx, carrier);
        const updated = await updateCarrier(ctx.q, ctx.now_ms, found.id, patch);
        await recordOperatorEvent(ctx.q, ctx.now_ms, { action: 'carrier.set', target_kind: 'carrier', target_id: updated.name, actor: o.operator, detail: { changed: Object.keys(patch) } });
        return updated;
      })));
      output(opts, { carrier: c, changed: Object.keys(patch) }, () => `changed ${Object.keys(patch).join(', ')}\n${carrierText(c, null).split('\n').filter((l) => !l.includes('buy deck')).join('\n')}`);
    });

  carriers.command('rates').description("a carrier's buy deck").command('import')
    .description("load a carrier's buy deck from a CSV (same columns as sell decks), preview the difference, then switch to it atomically")
    .requiredOption('--carrier <name>', 'carrier name', carrierName)
    .requiredOption('--file <file.csv>', 'columns: prefix, destination, rate_per_minute, connect_fee, initial_increment, increment, minimum_charge, blocked')
    .option('--currency <code>', 'currency of the amounts (default: that of the sell deck, else DEFAULT_CURRENCY); must be the sell deck\'s', currencyCode)
    .option('--dry-run', 'validate and preview only; change nothing')
    .addOption(operatorOption())
    .addHelpText('after', `
The buy rate is what the carrier charges us; blocked = the carrier does not terminate that destination.
Increments and minimum charge are the carrier's: they price each call's buy cost. Every row is checked
first; a file with any bad row imports nothing ("line N: column: expected …"). Routing sees the old
buy deck until the switch, then the new one.`)
    .action(async (o: { carrier: string; file: string; currency?: string; dryRun?: boolean; operator: string }, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      if (!fs.existsSync(o.file)) throw new CliError(`--file: ${o.file} does not exist`, EXIT_USAGE);
      const result = await withBilling(async (billing, config) => {
        const carrier = await mustFind(billing.read(), o.carrier);
        // The sell deck routing prices against: the one calls are rated from (RATE_DECK).
        const sell = await activeDeck(billing.db, billing.policy.sell_deck);
        const currency = o.currency ?? sell?.currency ?? config.defaultCurrency;
        if (sell && sell.currency !== currency) throw new CliError(`--currency: the sell deck "${sell.name}" is in ${sell.currency}; a buy deck in ${currency} could never be compared with it`, EXIT_USAGE);
        const live = await activeCarrierDeck(billing.db, carrier.id);
        const r = await importDeckFile(billing, { file: o.file, currency, dryRun: Boolean(o.dryRun), live }, async (parsed, diff, onProgress) => {
          const deck = await importCarrierDeck(billing.db, carrier.id, currency, parsed, billing.clock.now().getTime(), onProgress);
          await billing.tx((ctx) => recordOperatorEvent(ctx.q, ctx.now_ms, { action: 'carrier.deck_import', target_kind: 'carrier', target_id: carrier.name, actor: o.operator, detail: { version: deck.id, rows: deck.row_count, added: diff.added, removed: diff.removed, changed: diff.changed } }));
          return deck;
        });
        return { carrier: carrier.name, ...r };
      });
      output(opts, result, () => [
        `${o.file}: ${result.rows} valid rows for the buy deck of carrier ${result.carrier} (${result.currency})`,
        diffText(result.diff, result.currency, result.previous?.row_count ?? null, 'no buy deck yet: every row is new'),
        result.activated ? `switched carrier ${result.carrier} to buy deck version ${result.activated.id} (${result.activated.row_count} rows), atomically` : 'dry run: nothing changed',
      ].join('\n'));
    });
}
