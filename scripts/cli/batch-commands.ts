import type { Command } from 'commander';
import type { BatchSummary } from '../../billing/batches/batch-card';
import { isoDay } from '../../billing/batches/batch-card';
import { batchByName, changeBatchStatus, listBatches } from '../../billing/batches/batches';
import { discardStagedBatch } from '../../billing/batches/batch-discard';
import { formatMinor } from '../../billing/money/money';
import { unwrap } from '../../billing/shared/errors';
import { CliError, output, withBilling } from './cli-context';
import type { GlobalOptions } from './cli-context';
import { defaultOperator, nonEmpty } from './cli-options';
import { recordOperatorEvent } from './audit';

const money = (b: BatchSummary, minor: number) => `${formatMinor(minor, b.currency)} ${b.currency}`;

export function registerBatchCommands(program: Command): void {
  const batches = program.command('batches').description('card batches: list, activate, suspend, discard an unfinished load');

  batches.command('list')
    .description('every batch with its card count, value and cards by status')
    .action(async (_o, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const list = await withBilling((billing) => listBatches(billing.db));
      output(opts, { batches: list }, () => {
        if (!list.length) return 'no batches yet (create one with `prepaid cards generate` or `prepaid cards import`)';
        const lines = list.map((b) => [
          String(b.id).padStart(4), b.name.padEnd(24), b.status.padEnd(10), b.source.padEnd(10), String(b.card_count).padStart(9),
          (b.value_minor ? money(b, b.value_minor) : 'mixed').padStart(14), money(b, b.total_minor).padStart(18), isoDay(b.created_at_ms),
          Object.entries(b.cards_by_status).map(([s, n]) => `${s} ${n}`).join(', '),
        ].join('  '));
        return [['  id', 'name'.padEnd(24), 'status'.padEnd(10), 'source'.padEnd(10), '    cards', '         value', '             total', 'created   ', 'cards by status'].join('  '), ...lines].join('\n');
      });
    });

  const statusCommand = (name: 'activate' | 'suspend', to: 'active' | 'suspended', description: string) => batches.command(name)
    .description(description)
    .argument('<name>', 'batch name')
    .option('--operator <name>', 'operator name for the audit trail', nonEmpty('a name', 100), defaultOperator())
    .action(async (batchName: string, o: { operator: string }, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const r = await withBilling(async (billing) => {
        const now_ms = billing.clock.now().getTime();
        return unwrap(await changeBatchStatus(billing.db, batchName, to, now_ms, {
          onWritten: (q, res) => recordOperatorEvent(q, now_ms, { action: `batch.${name}`, target_kind: 'batch', target_id: batchName, actor: o.operator, detail: { changed: res.changed } }),
        }));
      });
      output(opts, r, () => `batch ${r.batch.name}: ${r.changed} card(s) now ${to} (closed cards are left alone)`);
    });
  statusCommand('activate', 'active', 'activate every inactive or suspended card of a batch');
  statusCommand('suspend', 'suspended', 'suspend every active card of a batch');

  batches.command('discard')
    .description('remove a batch that never finished loading (status loading: an interrupted or failed `cards generate` / `cards import`)')
    .argument('<name>', 'batch name')
    .option('--operator <name>', 'operator name for the audit trail', nonEmpty('a name', 100), defaultOperator())
    .addHelpText('after', `
A load that was interrupted (the machine or the process died) leaves its batch "loading": its cards
are in the database but none can be found or used. This removes them, their ledger entries and the
batch, in small transactions. A published batch (inactive, active, suspended) is never removed.
If the load is still running it stops at its next slice. Delete the load's FILE.csv.partial yourself.`)
    .action(async (name: string, o: { operator: string }, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const r = await withBilling(async (billing) => {
        const b = await batchByName(billing.db, name);
        if (!b) throw new CliError(`no batch named "${name}"`);
        if (b.status !== 'loading' && b.status !== 'discarding') throw new CliError(`batch "${name}" is ${b.status}: only an unfinished load can be discarded (suspend a published batch instead)`);
        const removed = await discardStagedBatch(billing.db, b.id);
        await billing.tx((ctx) => recordOperatorEvent(ctx.q, ctx.now_ms, { action: 'batch.discard', target_kind: 'batch', target_id: name, actor: o.operator, detail: { cards: removed } }));
        return { batch: name, removed_cards: removed };
      });
      output(opts, r, () => `batch ${name}: unfinished load discarded (${r.removed_cards} staged cards removed)`);
    });
}
