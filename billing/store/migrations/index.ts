import type { Knex } from 'knex';
import * as core from './001_core';
import * as cli from './002_cli';
import * as site from './003_site';
import * as oneActiveDeck from './004_one_active_deck';
import * as carriers from './005_carriers';
import * as ivrLeasesCdr from './007_ivr_leases_cdr';
import * as siteRevealLinks from './008_site_reveal_links';
import * as cardSecurity from './010_card_security';
import * as cardCallClaim from './011_card_call_claim';
import * as leanIndexes from './012_lean_indexes';

interface Migration { up(knex: Knex): Promise<void>; down(knex: Knex): Promise<void> }

/**
 * Every migration, in order. Add a file `NNN_name.ts` and list it here; names are recorded
 * in knex_migrations, so never rename one that has shipped.
 */
export const MIGRATIONS: ReadonlyArray<readonly [string, Migration]> = [
  ['001_core', core],
  ['002_cli', cli],
  ['003_site', site],
  ['004_one_active_deck', oneActiveDeck],
  ['005_carriers', carriers],
  ['007_ivr_leases_cdr', ivrLeasesCdr],
  ['008_site_reveal_links', siteRevealLinks],
  ['010_card_security', cardSecurity],
  ['011_card_call_claim', cardCallClaim],
  ['012_lean_indexes', leanIndexes],
];

export const migrationSource: Knex.MigrationSource<readonly [string, Migration]> = {
  getMigrations: async () => [...MIGRATIONS],
  getMigrationName: (m) => m[0],
  getMigration: async (m) => m[1],
};
