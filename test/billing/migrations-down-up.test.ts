import { expect } from 'chai';
import knexFactory from 'knex';
import type { Knex } from 'knex';
import { migrationSource } from '../../billing/store/migrations/index';
import { parseDatabaseUrl } from '../../billing/store/sql/database-url';
import { createTestDatabase, KINDS, requireKind } from '../support/databases';
import type { TestDatabase } from '../support/databases';

/** Migrations 010 (card security) and 011 (the card-place claim function) go down and up again on both databases, keeping the cards. */
for (const kind of KINDS) {
  describe(`migrations 010_card_security and 011_card_call_claim down and up (${kind})`, function () {
    this.timeout(60_000);
    let tdb: TestDatabase;
    let knex: Knex;
    before(async function () {
      await requireKind(this, kind);
      tdb = await createTestDatabase(kind);
      const target = parseDatabaseUrl(tdb.url);
      knex = knexFactory(target.kind === 'sqlite'
        ? { client: 'better-sqlite3', connection: { filename: target.file }, useNullAsDefault: true }
        : { client: 'pg', connection: target.url, pool: { min: 0, max: 1 } });
    });
    after(async () => {
      await knex?.destroy();
      await tdb?.drop();
    });

    it('removes card_calls and the two cards columns, then adds them back with their defaults', async () => {
      await knex('cards').insert({ number_hash: 'h'.repeat(64), pin_hash: 'p'.repeat(64), last4: '0001', serial: 'M-1', currency: 'USD', status: 'active', created_at_ms: 1, pin_lockouts: 2, pin_blocked_at_ms: 5 });
      await knex.migrate.down({ migrationSource, name: '010_card_security' });
      expect(await knex.schema.hasTable('card_calls')).to.equal(false);
      expect(await knex.schema.hasColumn('cards', 'pin_lockouts')).to.equal(false);
      expect(await knex.schema.hasColumn('cards', 'pin_blocked_at_ms')).to.equal(false);
      expect(await knex('cards').where({ serial: 'M-1' }).first()).to.include({ last4: '0001' });
      await knex.migrate.latest({ migrationSource });
      expect(await knex.schema.hasTable('card_calls')).to.equal(true);
      const row = await knex('cards').where({ serial: 'M-1' }).first() as { pin_lockouts: number; pin_blocked_at_ms: number | null };
      expect([Number(row.pin_lockouts), row.pin_blocked_at_ms]).to.deep.equal([0, null]);
    });

    it('011: the claim function goes and comes back on PostgreSQL (SQLite has nothing to undo)', async () => {
      const exists = async () => kind === 'pg'
        && Number((await knex.raw("SELECT COUNT(*) AS n FROM pg_proc WHERE proname = 'claim_card_call'")).rows[0].n) === 1;
      expect(await exists()).to.equal(kind === 'pg');
      await knex.migrate.down({ migrationSource, name: '011_card_call_claim' });
      expect(await exists()).to.equal(false);
      await knex.migrate.latest({ migrationSource });
      expect(await exists()).to.equal(kind === 'pg');
    });
  });
}
