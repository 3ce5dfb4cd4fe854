import type { Command } from 'commander';
import { migrate } from '../../billing/store/sql/open';
import { loadConfig } from '../../app/config';
import { output } from './cli-context';
import type { GlobalOptions } from './cli-context';

export function registerDbCommands(program: Command): void {
  const db = program.command('db').description('database maintenance');
  db.command('migrate')
    .description('create or upgrade the schema (SQLite or PostgreSQL, from DATABASE_URL)')
    .action(async (_o, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const applied = await migrate(loadConfig().databaseUrl);
      output(opts, { applied }, () => (applied.length ? `applied: ${applied.join(', ')}` : 'schema is up to date'));
    });
}
