import type { Command } from 'commander';
import { Option } from 'commander';
import { endOfDayMs } from '../../billing/batches/batch-card';
import { formatMinor } from '../../billing/money/money';
import { breakageReport } from '../../billing/reports/breakage-report';
import { liabilityReport } from '../../billing/reports/liability-report';
import type { MarginGrouping } from '../../billing/reports/margin-report';
import { marginReport } from '../../billing/reports/margin-report';
import type { DayRange } from '../../billing/reports/report-range';
import { DAY_MS, lastDays, rangeJson } from '../../billing/reports/report-range';
import { salesReport } from '../../billing/reports/sales-report';
import { usageReport } from '../../billing/reports/usage-report';
import { CliError, EXIT_USAGE, output, withBilling } from './cli-context';
import type { GlobalOptions } from './cli-context';
import { isoDate, wholeNumber } from './cli-options';

interface RangeOptions { from?: string; to?: string }

function rangeFrom(o: RangeOptions, now_ms: number): DayRange {
  const fallback = lastDays(now_ms, 30);
  const from_ms = o.from ? (endOfDayMs(o.from) as number) - DAY_MS : fallback.from_ms;
  const to_ms = o.to ? (endOfDayMs(o.to) as number) : fallback.to_ms;
  if (to_ms <= from_ms) throw new CliError('--to: must be the same day as --from or later (YYYY-MM-DD)', EXIT_USAGE);
  return { from_ms, to_ms };
}

const withRange = (cmd: Command): Command => cmd
  .option('--from <date>', 'first day, YYYY-MM-DD (UTC; default: 29 days before today)', isoDate)
  .option('--to <date>', 'last day, YYYY-MM-DD (UTC; default: today)', isoDate);

/** Aligned text columns; numbers right-aligned. */
function table(head: string[], rows: Array<Array<string | number>>, right: number[] = []): string {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells.map((r) => r.map((c, i) => (right.includes(i) ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number))).join('  ').trimEnd()).join('\n');
}

const KIND_LABEL: Record<string, string> = { issue: 'batch issued', sale: 'sold online', recharge: 'recharge' };

export function registerReportCommands(program: Command): void {
  const reports = program.command('reports').description('sales, usage, margin, outstanding liability, breakage');

  withRange(reports.command('sales'))
    .description('value put on cards per day and currency: batches issued, cards sold online, recharges')
    .action(async (o: RangeOptions, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const r = await withBilling(async (billing) => {
        const range = rangeFrom(o, billing.clock.now().getTime());
        return { range, lines: await salesReport(billing.db, range) };
      });
      const lines = r.lines.map((l) => ({ ...l, amount: formatMinor(l.amount_minor, l.currency) }));
      const totals = new Map<string, number>();
      for (const l of r.lines) totals.set(l.currency, (totals.get(l.currency) ?? 0) + l.amount_minor);
      const totalJson = [...totals].map(([currency, amount_minor]) => ({ currency, amount_minor, amount: formatMinor(amount_minor, currency) }));
      output(opts, { ...rangeJson(r.range), lines, totals: totalJson }, () => {
        const head = `sales ${rangeJson(r.range).from} … ${rangeJson(r.range).to}`;
        if (!lines.length) return `${head}\nno sales in this period`;
        return `${head}\n${table(['day', 'currency', 'kind', 'cards', 'amount'], lines.map((l) => [l.day, l.currency, KIND_LABEL[l.kind] ?? l.kind, l.cards, l.amount]), [3, 4])}\n` +
          totalJson.map((t) => `total ${t.currency}: ${t.amount}`).join('\n');
      });
    });

  withRange(reports.command('usage'))
    .description('completed calls per destination: calls, billed minutes, revenue')
    .action(async (o: RangeOptions, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const r = await withBilling(async (billing) => {
        const range = rangeFrom(o, billing.clock.now().getTime());
        return { range, lines: await usageReport(billing.db, range) };
      });
      const lines = r.lines.map((l) => ({ ...l, minutes: (l.billed_seconds / 60).toFixed(1), revenue: l.currency ? formatMinor(l.revenue_minor, l.currency) : String(l.revenue_minor) }));
      output(opts, { ...rangeJson(r.range), lines }, () => {
        const head = `usage ${rangeJson(r.range).from} … ${rangeJson(r.range).to}`;
        if (!lines.length) return `${head}\nno completed calls in this period`;
        return `${head}\n${table(['destination', 'currency', 'calls', 'minutes', 'revenue'], lines.map((l) => [l.destination, l.currency, l.calls, l.minutes, l.revenue]), [2, 3, 4])}`;
      });
    });

  withRange(reports.command('margin'))
    .description('answered calls per carrier or destination: calls, minutes, revenue, cost, margin, ASR, ACD')
    .addOption(new Option('--by <grouping>', 'one line per carrier or per destination').choices(['carrier', 'destination']).default('carrier'))
    .addHelpText('after', `
Calls: answered calls started in the period that a carrier carried. Minutes: talk time. Revenue: what the cards
paid; cost: the carrier's buy cost (its rate and increments on the talk time); margin = revenue − cost.
ASR = answered attempts / attempts (every carrier tried counts once); ACD = average talk time of answered calls.`)
    .action(async (o: RangeOptions & { by: MarginGrouping }, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const r = await withBilling(async (billing) => {
        const range = rangeFrom(o, billing.clock.now().getTime());
        return { range, report: await marginReport(billing.db, range, o.by) };
      });
      const money = (minor: number, currency: string | null) => (currency ? formatMinor(minor, currency) : '–');
      const percent = (x: number | null) => (x === null ? '–' : `${(x * 100).toFixed(1)}%`);
      const duration = (s: number | null) => (s === null ? '–' : `${Math.floor(s / 60)}:${String(Math.round(s % 60)).padStart(2, '0')}`);
      const minutes = (ms: number) => (ms / 60_000).toFixed(1);
      const lines = r.report.lines.map((l) => ({ ...l, minutes: minutes(l.talk_ms), revenue: money(l.revenue_minor, l.currency), cost: money(l.cost_minor, l.currency), margin: money(l.margin_minor, l.currency) }));
      const totals = r.report.totals.map((t) => ({ ...t, minutes: minutes(t.talk_ms), revenue: formatMinor(t.revenue_minor, t.currency), cost: formatMinor(t.cost_minor, t.currency), margin: formatMinor(t.margin_minor, t.currency) }));
      const json = { ...rangeJson(r.range), by: o.by, lines, totals, attempts: r.report.attempts, without_carrier: r.report.without_carrier };
      output(opts, json, () => {
        const head = `margin ${json.from} … ${json.to}, by ${o.by}`;
        if (!lines.length) return `${head}\nno calls through carriers in this period`;
        return [
          head,
          table([o.by, 'currency', 'calls', 'minutes', 'revenue', 'cost', 'margin', 'ASR', 'ACD'],
            lines.map((l) => [l.key, l.currency ?? '–', l.calls, l.minutes, l.revenue, l.cost, l.margin, percent(l.asr), duration(l.acd_s)]), [2, 3, 4, 5, 6, 7, 8]),
          ...totals.map((t) => `total ${t.currency}: ${t.calls} calls, ${t.minutes} minutes, revenue ${t.revenue}, cost ${t.cost}, margin ${t.margin}` +
            `${t.revenue_minor ? ` (${((t.margin_minor / t.revenue_minor) * 100).toFixed(1)}% of revenue)` : ''}, ACD ${duration(t.acd_s)}`),
          `attempts: ${json.attempts.attempts}, answered ${json.attempts.answered_attempts}, ASR ${percent(json.attempts.asr)}`,
          ...lines.filter((l) => l.uncosted_calls).map((l) => `note: ${l.uncosted_calls} call(s) of ${l.key} had no buy rate when answered; their cost is unknown and not counted`),
          ...json.without_carrier.map((w) => `not in this report: ${w.calls} answered call(s) with no carrier (revenue ${formatMinor(w.revenue_minor, w.currency)} ${w.currency})`),
        ].join('\n');
      });
    });

  reports.command('liability')
    .description('outstanding card balances by currency and status (what is owed to card holders), checked against the ledger')
    .action(async (_o, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const r = await withBilling((billing) => liabilityReport(billing.db));
      const fmt = <T extends { currency: string; balance_minor: number; pending_minor: number }>(l: T) => ({ ...l, balance: formatMinor(l.balance_minor, l.currency), pending: formatMinor(l.pending_minor, l.currency) });
      const json = { lines: r.lines.map(fmt), totals: r.totals.map(fmt) };
      output(opts, json, () => {
        if (!r.totals.length) return 'no cards yet: nothing outstanding';
        return `${table(['currency', 'status', 'cards', 'balance', 'held'], json.lines.map((l) => [l.currency, l.status, l.cards, l.balance, l.pending]), [2, 3, 4])}\n\n` +
          json.totals.map((t) => `outstanding ${t.currency}: ${t.balance} on ${t.cards} cards (${t.pending} held)${t.agrees ? ' — ledger agrees' : ` — LEDGER SAYS ${formatMinor(t.ledger_minor, t.currency)}; run \`prepaid ledger verify\``}`).join('\n');
      });
      if (r.totals.some((t) => !t.agrees)) throw new CliError('');
    });

  withRange(reports.command('breakage'))
    .description('value of expired cards: booked as breakage in the period, expired but not yet booked, and expiring soon')
    .option('--horizon <days>', 'look-ahead for "expiring soon", in days (1 to 3650)', wholeNumber(1, 3650), 30)
    .action(async (o: RangeOptions & { horizon: number }, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const r = await withBilling(async (billing) => {
        const now_ms = billing.clock.now().getTime();
        const range = rangeFrom(o, now_ms);
        return { range, report: await breakageReport(billing.db, range, now_ms, o.horizon) };
      });
      const amt = <T extends { currency: string; amount_minor: number }>(l: T) => ({ ...l, amount: formatMinor(l.amount_minor, l.currency) });
      const json = { ...rangeJson(r.range), booked: r.report.booked.map(amt), unbooked: r.report.unbooked.map(amt), upcoming: r.report.upcoming.map(amt), horizon_days: r.report.horizon_days };
      output(opts, json, () => [
        `breakage ${json.from} … ${json.to}`,
        json.booked.length ? table(['day', 'currency', 'cards', 'amount'], json.booked.map((l) => [l.day, l.currency, l.cards, l.amount]), [2, 3]) : 'no breakage booked in this period',
        ...json.unbooked.map((l) => `expired, not yet booked (next sweep): ${l.amount} ${l.currency} on ${l.cards} cards`),
        ...json.upcoming.map((l) => `expiring within ${json.horizon_days} days: ${l.amount} ${l.currency} on ${l.cards} cards`),
      ].join('\n'));
    });
}
