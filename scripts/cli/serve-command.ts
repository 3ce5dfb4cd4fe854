import type { Command } from 'commander';
import { loadConfig } from '../../app/config';
import { ALL_ROLES, DEFAULT_ROLES } from '../../app/deps';
import type { Role } from '../../app/deps';
import { CliError, EXIT_USAGE } from './cli-context';

export function registerServeCommand(program: Command): void {
  program.command('serve')
    .description('run the product: settlement API, web site and IVR in one process (or --roles for scale-out; sip-edge runs the SIP edge)')
    .option('--roles <list>', `comma-separated roles among ${ALL_ROLES.join(',')}`, DEFAULT_ROLES.join(','))
    .option('--no-demo', 'do not seed the demo deck, cards and merchant on the first start of an empty embedded database')
    .action(async (o: { roles: string; demo: boolean }) => {
      const roles = o.roles.split(',').map((r) => r.trim()).filter(Boolean);
      const bad = roles.filter((r) => !ALL_ROLES.includes(r as Role));
      if (bad.length || roles.length === 0) throw new CliError(`--roles: unknown role ${bad.join(', ') || '(none)'}; expected some of ${ALL_ROLES.join(', ')}`, EXIT_USAGE);
      const config = loadConfig();
      // Loaded on demand: the server's modules (express, the site, the IVR) cost ~1 s to import,
      // which every other `prepaid` command would otherwise pay at start.
      const [{ runServe }, { createLogger }] = await Promise.all([import('../../app/serve'), import('../../app/logger')]);
      await runServe(config, createLogger(config.logLevel), roles as Role[], { seedDemo: o.demo && config.embedded });
    });
}
