import net from 'node:net';
import { InvalidArgumentError } from 'commander';
import type { Command } from 'commander';
import { clearThrottle, listThrottles } from '../../billing/cards/throttle';
import type { ThrottleRow } from '../../billing/cards/throttle';
import { clientIpKey } from '../../billing/http/client-ip';
import { output, withBilling } from './cli-context';
import type { GlobalOptions } from './cli-context';
import { defaultOperator, nonEmpty, wholeNumber } from './cli-options';
import { recordOperatorEvent } from './audit';

const KEY_FORMS = 'merchant:ID, ip:ADDRESS (an IPv6 address stands for its /64) or caller:NUMBER';

/** A throttled source as the operator types it → its key in `auth_throttles` (what `throttles list` shows). */
export function throttleKey(text: string): string {
  const t = text.trim();
  const m = /^(merchant|ip|caller):(.+)$/.exec(t);
  if (m?.[1] === 'merchant' && /^[1-9]\d{0,9}$/.test(m[2]!)) return t;
  if (m?.[1] === 'caller' && /^\+?[0-9*#]{1,40}$/.test(m[2]!)) return t;
  if (m?.[1] === 'ip') {
    const v6net = /^([0-9a-f:]+)\/64$/i.exec(m[2]!);
    if (v6net && net.isIPv6(v6net[1]!)) return clientIpKey(v6net[1]!);
    if (net.isIP(m[2]!)) return clientIpKey(m[2]!);
  }
  throw new InvalidArgumentError(`expected ${KEY_FORMS}`);
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const rowJson = (r: ThrottleRow, now_ms: number) => ({
  key: r.key, failures: r.failures, window_start: iso(r.window_start_ms),
  locked_until: r.locked_until_ms !== null && r.locked_until_ms > now_ms ? iso(r.locked_until_ms) : null,
});

export function registerThrottleCommands(program: Command): void {
  const throttles = program.command('throttles')
    .description('sources locked out by failed card checks: merchants (their budget of wrong PINs), customer addresses, caller numbers');

  throttles.command('list')
    .description('the sources locked now (--all: every source with failures counted)')
    .option('--all', 'also sources with failures counted but not locked')
    .option('--limit <n>', 'at most this many (1 to 100000)', wholeNumber(1, 100_000), 1000)
    .action(async (o: { all?: boolean; limit: number }, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const now_ms = Date.now();
      const rows = (await withBilling((billing) => listThrottles(billing.read().q, now_ms, { all: o.all === true, limit: o.limit }))).map((r) => rowJson(r, now_ms));
      output(opts, { throttles: rows }, () => rows.length
        ? rows.map((r) => `${r.key.padEnd(40)} ${r.locked_until ? `locked until ${r.locked_until}` : `${r.failures} failure(s) since ${r.window_start}`}`).join('\n')
        : (o.all ? 'no failures counted' : 'no source is locked (`--all` shows those with failures counted)'));
    });

  throttles.command('clear')
    .description('forget a source\'s failures and lift its lock now (audited)')
    .argument('<key>', KEY_FORMS, throttleKey)
    .option('--reason <text>', 'why (kept in the audit trail)', nonEmpty('a reason', 500))
    .option('--operator <name>', 'operator name for the audit trail', nonEmpty('a name', 100), defaultOperator())
    .addHelpText('after', '\nExamples:\n  prepaid throttles clear merchant:12 --reason "their checkout retried a stale PIN, ticket 4471"\n  prepaid throttles clear ip:2001:db8:1:2::9')
    .action(async (key: string, o: { reason?: string; operator: string }, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const now_ms = Date.now();
      const was = await withBilling((billing) => billing.tx(async (ctx) => {
        const row = await clearThrottle(ctx.q, key);
        if (row) {
          await recordOperatorEvent(ctx.q, ctx.now_ms, {
            action: 'throttle.clear', target_kind: 'source', target_id: key, actor: o.operator,
            detail: { failures: row.failures, locked_until_ms: row.locked_until_ms, reason: o.reason ?? null },
          });
        }
        return row;
      }));
      const previous = was && rowJson(was, now_ms);
      output(opts, { key, cleared: was !== null, previous }, () => !previous ? `${key}: nothing counted, nothing to clear`
        : `${key}: cleared (was ${previous.locked_until ? `locked until ${previous.locked_until}` : 'not locked'}; ${previous.failures} failure(s) counted)`);
    });
}
