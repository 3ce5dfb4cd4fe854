import { Command, CommanderError } from 'commander';
import { describeError, EXIT_USAGE } from './cli-context';
import { registerBatchCommands } from './batch-commands';
import { registerCarrierCommands } from './carrier-commands';
import { registerCardCommands } from './card-commands';
import { registerCdrCommands } from './cdr-commands';
import { registerDbCommands } from './db-commands';
import { registerLedgerCommands } from './ledger-commands';
import { registerMerchantCommands } from './merchant-commands';
import { registerRateCommands } from './rate-commands';
import { registerReportCommands } from './report-commands';
import { registerRouteCommands } from './route-commands';
import { registerServeCommand } from './serve-command';
import { registerThrottleCommands } from './throttle-commands';

/** Every command group registers itself here: one list, so `prepaid --help` shows them all. */
const REGISTRARS: Array<(program: Command) => void> = [
  registerDbCommands,
  registerLedgerCommands,
  registerServeCommand,
  registerCardCommands,
  registerBatchCommands,
  registerRateCommands,
  registerCarrierCommands,
  registerRouteCommands,
  registerMerchantCommands,
  registerThrottleCommands,
  registerReportCommands,
  registerCdrCommands,
];

export function buildProgram(): Command {
  const program = new Command('prepaid')
    .description('Prepaid card platform: cards, rates, carriers and routes, merchants, the ledger — and `serve` to run it')
    .option('--json', 'machine-readable JSON output')
    .showHelpAfterError()
    .exitOverride();
  for (const register of REGISTRARS) register(program);
  return program;
}

/** Runs the CLI and returns the process exit code (0 ok, 1 failure, 2 usage). */
export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.help' || err.code === 'commander.version') return 0;
      return EXIT_USAGE;
    }
    const { message, exitCode } = describeError(err);
    if (message) process.stderr.write(`prepaid: ${message}\n`);
    return exitCode;
  }
}
