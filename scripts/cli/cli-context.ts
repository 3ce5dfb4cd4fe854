import type { Billing } from '../../billing/billing';
import { isBillingError } from '../../billing/shared/errors';
import { ConfigError, loadConfig } from '../../app/config';
import type { Config } from '../../app/config';
import { openBilling } from '../../app/open-billing';

/** Exit codes that mean something: 0 ok, 1 the operation failed, 2 the command was used wrongly. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A failure the CLI reports as one readable line (plus exit code), without a stack trace. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = EXIT_FAILURE) {
    super(message);
  }
}

export interface GlobalOptions { json?: boolean }

/** Prints either JSON (for scripts) or the human text. */
export function output(opts: GlobalOptions, json: unknown, human: () => string): void {
  process.stdout.write(opts.json ? `${JSON.stringify(json, null, 2)}\n` : `${human()}\n`);
}

/** Loads the configuration, opens the billing core, runs `fn`, closes the database. */
export async function withBilling<T>(fn: (billing: Billing, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const billing = await openBilling(config);
  try {
    return await fn(billing, config);
  } finally {
    await billing.db.close();
  }
}

/** Turns any error into a message and an exit code. */
export function describeError(err: unknown): { message: string; exitCode: number } {
  if (err instanceof CliError) return { message: err.message, exitCode: err.exitCode };
  if (err instanceof ConfigError) return { message: err.message, exitCode: EXIT_USAGE };
  if (isBillingError(err)) return { message: `${err.code}: ${err.message}`, exitCode: err.code === 'validation_error' ? EXIT_USAGE : EXIT_FAILURE };
  return { message: err instanceof Error ? err.message : String(err), exitCode: EXIT_FAILURE };
}
