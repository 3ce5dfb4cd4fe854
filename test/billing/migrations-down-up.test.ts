import { expect } from 'chai';
import knexFactory from 'knex';
import type { Knex } from 'knex';
import { migrationSource } from '../../billing/store/migrations/index';
import { parseDatabaseUrl } from '../../billing/store/sql/database-url';
import { createTestDatabase, KINDS, requireKind } from '../support/databases';
import type { TestDatabase } from '../support/databases';

/**
 * Migrations 010 (card security) and 011 (the card-place claim function) go down and up again on
 * both databases, keeping the cards; 012 cuts the indexes a money move writes to what queries read,
 * and down puts them back as they were.
 */
for (const kind of KINDS) {
  describe(`migrations 010_card_security, 011_card_call_claim and 012_lean_indexes down and up (${kind})`, function () {
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

    /** The secondary indexes of the holds and the ledger, by name, each with what follows ON in its definition. */
    const moneyIndexes = async (): Promise<Record<string, string>> => {
      const rows: Array<{ name: string; sql: string }> = kind === 'sqlite'
        ? await knex.raw("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('holds', 'ledger_entries', 'postings') AND sql IS NOT NULL")
        : (await knex.raw("SELECT indexname AS name, indexdef AS sql FROM pg_indexes WHERE tablename IN ('holds', 'ledger_entries', 'postings') AND indexname NOT LIKE '%_pkey'")).rows;
      // Compared without quotes, casts, brackets or the table's schema, the two databases' definitions read alike.
      const plain = (sql: string) => sql.replace(/^.* ON (public\.)?/i, '').replace(/USING btree /i, '').replace(/::\w+/g, '').replace(/[`"()]/g, '').replace(/\s+/g, ' ').trim();
      return Object.fromEntries(rows.map((r) => [r.name, plain(r.sql)]));
    };

    it('012: each index by card, status or account only for the rows queries look for; down: as they were; up again', async () => {
      const up = await moneyIndexes();
      expect(up).to.deep.equal({
        holds_call_index: 'holds call_id WHERE call_id IS NOT NULL',
        holds_pending_card_index: "holds card_id WHERE status = 'pending'",
        holds_pending_expiry_index: "holds expires_at_ms WHERE status = 'pending'",
        ledger_entries_created_at_ms_index: 'ledger_entries created_at_ms',
        postings_card_id_index: 'postings card_id',
        postings_entry_id_index: 'postings entry_id',
        postings_non_card_account_index: 'postings account WHERE card_id IS NULL',
      });
      await knex.migrate.down({ migrationSource, name: '012_lean_indexes' });
      expect(await moneyIndexes()).to.deep.equal({
        holds_call_id_index: 'holds call_id',
        holds_card_id_status_index: 'holds card_id, status',
        holds_status_expires_at_ms_index: 'holds status, expires_at_ms',
        ledger_entries_card_id_id_index: 'ledger_entries card_id, id',
        ledger_entries_created_at_ms_index: 'ledger_entries created_at_ms',
        postings_account_index: 'postings account',
        postings_card_id_index: 'postings card_id',
        postings_entry_id_index: 'postings entry_id',
      });
      await knex.migrate.latest({ migrationSource });
      expect(await moneyIndexes()).to.deep.equal(up);
    });
  });
}
