import { expect } from 'chai';
import knexFactory from 'knex';
import type { Knex } from 'knex';
import { migrationSource } from '../../billing/store/migrations/index';
import { parseDatabaseUrl } from '../../billing/store/sql/database-url';
import { migrate } from '../../billing/store/sql/open';
import { createTestDatabase, KINDS, requireKind } from '../support/databases';
import type { TestDatabase } from '../support/databases';

function knexFor(url: string): Knex {
  const t = parseDatabaseUrl(url);
  return knexFactory(t.kind === 'sqlite'
    ? { client: 'better-sqlite3', connection: { filename: t.file }, useNullAsDefault: true }
    : { client: 'pg', connection: t.url, pool: { min: 0, max: 1 } });
}

for (const kind of KINDS) {
  describe(`migration 007 (IVR leases, CDR billing) on ${kind}`, function () {
    this.timeout(30_000);
    let tdb: TestDatabase;
    let knex: Knex;
    beforeEach(async function () {
      await requireKind(this, kind);
      tdb = await createTestDatabase(kind);
      knex = knexFor(tdb.url);
    });
    afterEach(async () => {
      await knex?.destroy();
      await tdb?.drop();
    });

    it('goes down and up again, also after a later migration was applied (a database upgraded from a release without it), giving active calls to the node their id names', async () => {
      await knex.migrate.down({ migrationSource, name: '007_ivr_leases_cdr' } as Knex.MigratorConfig & { name: string });
      expect(await knex.schema.hasTable('ivr_nodes')).to.equal(false);
      expect(await knex.schema.hasColumn('call_records', 'ivr_node')).to.equal(false);
      await knex('call_records').insert([
        { id: 'abc-0123', status: 'active', started_at_ms: 1 },
        { id: 'def-0456', status: 'completed', started_at_ms: 1 },
      ]);
      await knex.destroy();
      expect(await migrate(tdb.url)).to.deep.equal(['007_ivr_leases_cdr']);
      knex = knexFor(tdb.url);
      for (const table of ['ivr_nodes', 'call_cdr_legs', 'cdr_files']) expect(await knex.schema.hasTable(table), table).to.equal(true);
      const rows = await knex('call_records').select('id', 'ivr_node').orderBy('id');
      expect(rows).to.deep.equal([{ id: 'abc-0123', ivr_node: 'abc' }, { id: 'def-0456', ivr_node: null }]);
    });
  });
}
