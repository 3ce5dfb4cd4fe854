import { runCli } from './cli/program';

// `prepaid … | head`: the reader closing the pipe is a normal end, not a crash.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

/** The `prepaid` command (bin/prepaid.mjs loads this through tsx). */
const code = await runCli(process.argv.slice(2));
process.exitCode = code;
