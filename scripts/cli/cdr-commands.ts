import type { Command } from 'commander';
import { importCdrFile } from '../../billing/calls/cdr/cdr-file';
import { activeCallRecords } from '../../billing/calls/call-records';
import { leaseOf } from '../../billing/calls/ivr-leases';
import { CliError, EXIT_FAILURE, EXIT_USAGE, output, withBilling } from './cli-context';
import type { GlobalOptions } from './cli-context';

export function registerCdrCommands(program: Command): void {
  const cdr = program.command('cdr').description("Asterisk's call detail records: bill the calls that ended while the IVR was away");
  cdr.command('import')
    .description('read what is new in a CDR file (cdr_custom per asterisk-config/cdr_custom.conf, or cdr_csv Master.csv) and bill the calls awaiting their CDR; safe to repeat')
    .option('--file <path>', 'the CDR file (default: CDR_FILE)')
    .option('--from-start', 'read the file from its first line again (already billed calls stay as they are)')
    .action(async (o: { file?: string; fromStart?: boolean }, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const r = await withBilling(async (billing, config) => {
        const file = o.file ?? config.cdr?.file;
        if (!file) throw new CliError('no CDR file: pass --file PATH or set CDR_FILE', EXIT_USAGE);
        try {
          return await importCdrFile(billing, file, { maxChunks: Number.MAX_SAFE_INTEGER, fromStart: o.fromStart ?? false, now_ms: () => Date.now() });
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new CliError(`no such file: ${file}`, EXIT_FAILURE);
          throw err;
        }
      });
      output(opts, r, () => [
        `${r.file}: ${r.lines} lines read${r.restarted ? ' (rotated or truncated: read from its start)' : ''}, ${r.legs} CDR rows matched to calls`,
        `${r.billed.length} calls billed from their CDR${r.billed.map((b) => `\n  ${b.call_id}: talk ${b.talk_s} s, billed ${b.billed_s} s, cost ${b.cost_minor}`).join('')}`,
        ...(r.mismatched.length ? [`${r.mismatched.length} calls whose CDR rows do not fit (left awaiting):${r.mismatched.map((m) => `\n  ${m.call_id}: ${m.reason}`).join('')}`] : []),
        ...(r.missing ? [`${r.missing} calls gave up waiting (holds expired): their reconcile bill is final`] : []),
        ...(r.rejected_count ? [`${r.rejected_count} lines skipped, not CDRs:${r.rejected.map((x) => `\n  byte ${x.offset}: ${x.reason}`).join('')}`] : []),
      ].join('\n'));
      if (r.rejected_count > 0) throw new CliError('', EXIT_FAILURE);
    });

  const ivr = program.command('ivr').description('IVR processes (nodes) sharing this database');
  ivr.command('nodes')
    .description('IVR node leases and the calls each node owns; an expired lease means its calls are taken over by a live node')
    .action(async (_o, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const r = await withBilling(async (billing) => {
        const now = Date.now();
        const active = await activeCallRecords(billing.db);
        const nodes = [...new Set([...active.map((c) => c.ivr_node ?? '(none)'), ...(await billing.db.all<{ node_id: string }>('SELECT node_id FROM ivr_nodes')).map((n) => n.node_id)])].sort();
        const out = [];
        for (const node of nodes) {
          const lease = await leaseOf(billing.db, node);
          out.push({
            node,
            lease: lease ? (lease.expires_at_ms >= now ? 'live' : 'expired') : 'none',
            renewed_at: lease ? new Date(lease.renewed_at_ms).toISOString() : null,
            expires_at: lease ? new Date(lease.expires_at_ms).toISOString() : null,
            active_calls: active.filter((c) => (c.ivr_node ?? '(none)') === node).length,
          });
        }
        return { nodes: out };
      });
      output(opts, r, () => r.nodes.length
        ? r.nodes.map((n) => `${n.node.padEnd(8)} lease ${n.lease.padEnd(8)} ${n.expires_at ? `until ${n.expires_at}` : ''.padEnd(30)}  ${n.active_calls} active calls`).join('\n')
        : 'no IVR node has run on this database yet');
    });
}
