import type { Command } from 'commander';
import { verifyLedger } from '../../billing/verify/ledger-verify';
import { CliError, EXIT_FAILURE, output, withBilling } from './cli-context';
import type { GlobalOptions } from './cli-context';

export function registerLedgerCommands(program: Command): void {
  const ledger = program.command('ledger').description('the books');
  ledger.command('verify')
    .description('recompute every balance from postings; check entries sum to zero and holds are consistent (exit 1 on any violation)')
    .action(async (_o, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const report = await withBilling((billing) => verifyLedger(billing.db));
      output(opts, report, () => {
        const head = `checked ${report.checked.entries} entries, ${report.checked.postings} postings, ${report.checked.cards} cards, ${report.checked.holds} holds`;
        if (report.ok) return `${head}\nledger OK`;
        return `${head}\nLEDGER VIOLATIONS (${report.violations.length}):\n${report.violations.map((v) => `  [${v.check}] ${v.detail}`).join('\n')}`;
      });
      if (!report.ok) throw new CliError('', EXIT_FAILURE);
    });
}
