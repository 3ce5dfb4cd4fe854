import { runCli } from './cli/program';

/** The `prepaid` command (bin/prepaid.mjs loads this through tsx). */
const code = await runCli(process.argv.slice(2));
process.exitCode = code;
