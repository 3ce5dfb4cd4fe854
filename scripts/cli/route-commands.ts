import type { Command } from 'commander';
import { formatMinor } from '../../billing/money/money';
import { formatRatePerMinute } from '../../billing/rating/rate-csv';
import { lookupRate } from '../../billing/rating/rate-store';
import type { RouteRanking, RouteSkip } from '../../billing/routing/route-types';
import { Routing } from '../../billing/routing/routing';
import { SqlRouteLookup } from '../../billing/routing/sql-route-lookup';
import { CliError, EXIT_FAILURE, EXIT_USAGE, output, withBilling } from './cli-context';
import type { GlobalOptions } from './cli-context';

const SKIP_TEXT: Record<RouteSkip['reason'], string> = {
  disabled: 'disabled',
  no_prefix: 'no buy prefix for this number',
  loss: 'would route at a loss',
  blocked_by_carrier: 'blocked in its buy deck',
};
const NO_ROUTE_TEXT = {
  blocked: 'blocked in the sell deck: no route',
  unpriced: 'no rate in the sell deck: no route',
  invalid_number: 'not an E.164 number',
  no_carrier: 'no carrier can take it',
};

function rankingText(r: RouteRanking, destination: string | null): string {
  const skipped = r.skipped.map((s) => `  skipped  ${s.carrier.name}: ${SKIP_TEXT[s.reason]}${s.prefix ? ` (prefix ${s.prefix})` : ''}`);
  if (!r.ok) return [`+${r.number}: ${NO_ROUTE_TEXT[r.reason]}`, ...skipped].join('\n');
  const rate = (scaled: number) => `${formatRatePerMinute(scaled, r.currency)}/min`;
  const first = r.candidates[0];
  const head = `+${r.number} → ${destination ?? 'destination'} (sell prefix ${r.sell_prefix}, ${first ? rate(first.sell_rate_per_minute_scaled) : '?'} ${r.currency})`;
  const rows = r.candidates.map((c) => [
    `  ${c.order}.`, c.carrier.name, `prefix ${c.prefix}`, `buy ${rate(c.buy.rate_per_minute_scaled)}`, `connect ${formatMinor(c.buy.connect_fee_minor, r.currency)}`,
    `${c.buy.initial_increment_s}/${c.buy.increment_s} s`, `margin ${rate(c.margin_per_minute_scaled)}`, `→ ${c.carrier.sip_uri} (${c.carrier.transport}) as ${c.dial_user}`,
  ]);
  const widths = rows.length ? (rows[0] as string[]).map((_, i) => Math.max(...rows.map((row) => (row[i] as string).length))) : [];
  return [head, ...rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i] as number)).join('  ').trimEnd()), ...skipped].join('\n');
}

export function registerRouteCommands(program: Command): void {
  const routes = program.command('routes').description('least-cost routing: which carriers a call would take');

  routes.command('show')
    .description('the ranking of carriers for a number: each candidate with buy, sell and margin, each skipped carrier with its reason')
    .argument('<number>', 'dialled number, E.164 with or without +, e.g. +447700900123')
    .action(async (number: string, _o, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const digits = number.replace(/[\s()+-]/g, '');
      if (!/^\d{1,15}$/.test(digits)) throw new CliError(`<number>: "${number}" is not a phone number (expected 1 to 15 digits, e.g. +447700900123)`, EXIT_USAGE);
      // One SQL statement: a one-shot process has no use for the in-memory index.
      const r = await withBilling(async (billing) => {
        const ranking = await new Routing(billing.db, new SqlRouteLookup(billing.db, billing.policy.sell_deck)).rank(digits);
        const sell = ranking.ok ? await lookupRate(billing.db, digits) : undefined;
        return { ranking, destination: sell?.destination ?? null };
      });
      output(opts, { ...r.ranking, destination: r.destination }, () => rankingText(r.ranking, r.destination));
      if (!r.ranking.ok) throw new CliError('', EXIT_FAILURE);
    });
}
