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

/** Migration 012 drops the two ledger indexes no query reads (and keeps the non-card accounts indexed); down puts them back. */
for (const kind of KINDS) {
  describe(`migration 012_lean_ledger_indexes down and up (${kind})`, function () {
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

    /** The indexes of the two ledger tables, by name, with their definitions. */
    const ledgerIndexes = async (): Promise<Record<string, string>> => {
      const rows: Array<{ name: string; sql: string | null }> = kind === 'sqlite'
        ? await knex.raw("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('ledger_entries', 'postings') AND sql IS NOT NULL")
        : (await knex.raw("SELECT indexname AS name, indexdef AS sql FROM pg_indexes WHERE tablename IN ('ledger_entries', 'postings') AND indexname NOT LIKE '%_pkey'")).rows;
      return Object.fromEntries(rows.map((r) => [r.name, String(r.sql)]));
    };

    it('up: no (card_id, id) index on the entries, the account index only for postings without a card; down: both as they were', async () => {
      const up = await ledgerIndexes();
      expect(Object.keys(up).sort()).to.deep.equal(['ledger_entries_created_at_ms_index', 'postings_card_id_index', 'postings_entry_id_index', 'postings_non_card_account_index']);
      expect(up.postings_non_card_account_index).to.match(/\(\s*"?account"?\s*\)\s*WHERE\s*\(?\s*"?card_id"?\s+IS\s+NULL\s*\)?/i);
      await knex.migrate.down({ migrationSource, name: '012_lean_ledger_indexes' });
      const down = await ledgerIndexes();
      expect(Object.keys(down).sort()).to.deep.equal(['ledger_entries_card_id_id_index', 'ledger_entries_created_at_ms_index', 'postings_account_index', 'postings_card_id_index', 'postings_entry_id_index']);
      expect(down.postings_account_index).to.not.match(/WHERE/i);
      await knex.migrate.latest({ migrationSource });
      expect(await ledgerIndexes()).to.deep.equal(up);
    });
  });
}
