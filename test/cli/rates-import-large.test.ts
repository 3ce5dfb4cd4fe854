import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type { Rate } from '../../billing/rating/rate';
import { importDeck, lookupRate } from '../../billing/rating/rate-store';
import type { Database } from '../../billing/store/sql/database';
import { createTestDatabase, KINDS, requireKind } from '../support/databases';
import type { TestDatabase } from '../support/databases';
import { cliFor } from './cli-process';

/**
 * A 300,000-row deck through `prepaid rates import`: no row dropped, and the switch is atomic —
 * while the subprocess loads, this process keeps looking up three probe numbers and must only
 * ever see the whole old deck, then the whole new one (never a mix, never a gap, never back).
 */
const ROWS = 300_000;
const HEAD = 'prefix,destination,rate_per_minute,connect_fee,initial_increment,increment,minimum_charge,blocked';

const rate = (prefix: string, destination: string, scaled: number): Rate => ({
  prefix, destination, rate_per_minute_scaled: scaled, connect_fee_minor: 0, initial_increment_s: 60, increment_s: 60, min_charge_minor: 0, blocked: false,
});

type Seen = 'old' | 'new' | 'mixed';

/**
 * One statement, so one snapshot on both databases: the three probe prefixes in the live deck.
 * (Three separate lookups on a PostgreSQL pool may straddle the switch; each one alone is still whole.)
 */
async function probe(db: Database): Promise<Seen> {
  const rows = await db.all<{ prefix: string; destination: string; rate_per_minute_scaled: number }>(
    `SELECT r.prefix, r.destination, r.rate_per_minute_scaled FROM rates r JOIN rate_decks d ON d.id = r.deck_id
      WHERE d.name = 'default' AND d.status = 'active' AND r.prefix IN ('999', '998', '44')`,
  );
  const by = new Map(rows.map((r) => [r.prefix, r]));
  const [gone, added, changed] = [by.get('999'), by.get('998'), by.get('44')];
  if (rows.length === 2 && gone?.destination === 'Oldland' && Number(changed?.rate_per_minute_scaled) === 10_000) return 'old';
  if (rows.length === 2 && added?.destination === 'Newland' && Number(changed?.rate_per_minute_scaled) === 20_000) return 'new';
  return 'mixed';
}

/** What a call does: one longest-prefix lookup. A number rated in both decks is never unrated. */
async function callLookupIsWhole(db: Database): Promise<boolean> {
  const r = await lookupRate(db, '441234');
  return r !== undefined && [10_000, 20_000].includes(r.rate_per_minute_scaled);
}

for (const kind of KINDS) {
  describe(`rates import of a 300,000-row deck (${kind})`, function () {
    this.timeout(120_000);
    let tdb: TestDatabase;
    let db: Database;
    before(async function () {
      await requireKind(this, kind);
      tdb = await createTestDatabase(kind);
      db = tdb.open();
      await importDeck(db, 'default', 'USD', [rate('999', 'Oldland', 50_000), rate('44', 'United Kingdom', 10_000), rate('1', 'North America', 5_000)], Date.UTC(2026, 0, 1));
    });
    after(async () => {
      await db?.close();
      await tdb?.drop();
    });

    it('imports every row and switches atomically while lookups run', async () => {
      const cli = cliFor(tdb);
      try {
        const lines = [HEAD, '44,United Kingdom,0.02,,60,60,,no', '998,Newland,0.05,,60,60,,no'];
        for (let i = 0; lines.length <= ROWS; i++) lines.push(`${2_000_000 + i},Destination ${i},0.${String(i % 1_000_000).padStart(6, '0')},0.01,30,6,0.05,${i % 97 === 0 ? 'yes' : 'no'}`);
        fs.writeFileSync(path.join(cli.dir, 'big.csv'), `${lines.join('\n')}\n`);

        const child = cli.start(['rates', 'import', '--file', 'big.csv', '--json']);
        let finished = false;
        const result = child.done.finally(() => { finished = true; });
        const seen: Seen[] = [];
        let oldWhileLoading = 0;
        while (!finished) {
          const s = await probe(db);
          seen.push(s);
          if (!(await callLookupIsWhole(db))) seen.push('mixed');
          if (s === 'old' && await db.one("SELECT id FROM rate_decks WHERE status = 'loading'")) oldWhileLoading++;
          await new Promise((r) => setTimeout(r, 5));
        }
        const r = await result;
        expect(r.code, r.stderr).to.equal(0);
        seen.push(await probe(db));

        expect(seen.filter((s) => s === 'mixed'), 'mixed observations').to.have.length(0);
        const firstNew = seen.indexOf('new');
        expect(firstNew, 'the new deck is live at the end').to.be.greaterThan(0);
        expect(seen.slice(firstNew).every((s) => s === 'new'), 'never back to the old deck').to.equal(true);
        expect(oldWhileLoading, 'lookups ran while the new version was loading and saw the old deck').to.be.greaterThan(0);

        const out = JSON.parse(r.stdout) as { rows: number; diff: { added: number; removed: number; changed: number }; activated: { id: number; row_count: number } };
        expect(out.rows).to.equal(ROWS);
        expect(out.diff).to.deep.include({ added: ROWS - 1, removed: 2, changed: 1 });
        expect(out.activated.row_count).to.equal(ROWS);
        const count = await db.one<{ n: number }>('SELECT COUNT(*) AS n FROM rates WHERE deck_id = ?', [out.activated.id]);
        expect(Number(count?.n)).to.equal(ROWS);
        const sample = await lookupRate(db, '2123456789');
        expect(sample).to.include({ prefix: '2123456', destination: 'Destination 123456', rate_per_minute_scaled: 123_456, connect_fee_minor: 1, initial_increment_s: 30, increment_s: 6, min_charge_minor: 5, blocked: 123_456 % 97 === 0 });
        const blocked = await db.one<{ n: number }>('SELECT COUNT(*) AS n FROM rates WHERE deck_id = ? AND blocked = 1', [out.activated.id]);
        expect(Number(blocked?.n)).to.equal(Math.ceil((ROWS - 2) / 97));
      } finally {
        cli.cleanup();
      }
    });
  });
}
