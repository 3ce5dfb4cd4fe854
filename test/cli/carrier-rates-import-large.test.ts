import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { Billing } from '../../billing/billing';
import { SecretHasher } from '../../billing/cards/secrets';
import { CARRIER_DEFAULTS } from '../../billing/carriers/carrier';
import { importCarrierDeck } from '../../billing/carriers/carrier-deck';
import { insertCarrier } from '../../billing/carriers/carrier-store';
import type { Rate } from '../../billing/rating/rate';
import { importDeck } from '../../billing/rating/rate-store';
import { IndexedRouteLookup } from '../../billing/routing/indexed-route-lookup';
import { Routing } from '../../billing/routing/routing';
import { SqlRouteLookup } from '../../billing/routing/sql-route-lookup';
import { systemClock } from '../../billing/shared/clock';
import { DEFAULT_POLICY } from '../../billing/shared/context';
import type { Database } from '../../billing/store/sql/database';
import { createTestDatabase, KINDS, requireKind, TEST_SECRET } from '../support/databases';
import type { TestDatabase } from '../support/databases';
import { cliFor } from './cli-process';

/**
 * A 300,000-row buy deck through `prepaid carriers rates import` in a subprocess while this process
 * keeps ranking a probe number, through the in-memory index (billing.routing, and with freshness
 * 'check') and through one SQL statement per ranking. Each ranking must show the whole old buy deck
 * (alpha's longest prefix 4477 at 0.02) or the whole new one (447 at 0.021) — never anything else,
 * never back to the old after the new — and the old one while the new version is loading.
 */
const ROWS = 300_000;
const HEAD = 'prefix,destination,rate_per_minute,connect_fee,initial_increment,increment,minimum_charge,blocked';
const PROBE = '447700900123';
const rate = (prefix: string, scaled: number): Rate => ({ prefix, destination: `d${prefix}`, rate_per_minute_scaled: scaled, connect_fee_minor: 0, initial_increment_s: 60, increment_s: 60, min_charge_minor: 0, blocked: false });

type Seen = 'old' | 'new' | string;

async function seen(routing: Routing): Promise<Seen> {
  const r = await routing.rank(PROBE);
  if (!r.ok) return `no route: ${r.reason}`;
  const alpha = r.candidates.find((c) => c.carrier.name === 'alpha');
  const bravo = r.candidates.find((c) => c.carrier.name === 'bravo');
  const a = `${alpha?.prefix}@${alpha?.buy.rate_per_minute_scaled}`;
  if (bravo?.prefix !== '44' || bravo.buy.rate_per_minute_scaled !== 40_000) return `bravo changed: ${bravo?.prefix}`;
  if (a === '4477@20000' && r.candidates[0]?.carrier.name === 'alpha') return 'old';
  if (a === '447@21000' && r.candidates[0]?.carrier.name === 'alpha') return 'new';
  return `mixed: alpha ${a}`;
}

for (const kind of KINDS) {
  describe(`carriers rates import of a 300,000-row buy deck while ranking (${kind})`, function () {
    this.timeout(240_000);
    let tdb: TestDatabase;
    let db: Database;
    let billing: Billing;
    before(async function () {
      await requireKind(this, kind);
      tdb = await createTestDatabase(kind);
      db = tdb.open();
      billing = new Billing(db, new SecretHasher(TEST_SECRET), systemClock, DEFAULT_POLICY);
      await importDeck(db, 'default', 'USD', [rate('44', 100_000)], Date.now());
      const alpha = await db.tx((q) => insertCarrier(q, 0, { ...CARRIER_DEFAULTS, name: 'alpha', sip_uri: 'sip:alpha.example.net' }));
      const bravo = await db.tx((q) => insertCarrier(q, 0, { ...CARRIER_DEFAULTS, name: 'bravo', sip_uri: 'sip:bravo.example.net' }));
      await importCarrierDeck(db, alpha.id, 'USD', [rate('44', 30_000), rate('4477', 20_000)], Date.now());
      await importCarrierDeck(db, bravo.id, 'USD', [rate('44', 40_000)], Date.now());
    });
    after(async () => {
      await db?.close();
      await tdb?.drop();
    });

    it('every ranking sees the whole old buy deck, then the whole new one', async () => {
      const cli = cliFor(tdb);
      try {
        const lines = [HEAD, '44,UK,0.025,,60,60,,no', '447,UK mobile,0.021,,60,60,,no'];
        for (let i = 0; lines.length <= ROWS; i++) lines.push(`${2_000_000 + i},Destination ${i},0.${String(i % 1_000_000).padStart(6, '0')},0.01,30,6,0.05,${i % 97 === 0 ? 'yes' : 'no'}`);
        fs.writeFileSync(path.join(cli.dir, 'big.csv'), `${lines.join('\n')}\n`);
        const lookups: Record<string, Routing> = {
          'billing.routing': billing.routing,
          "freshness 'check'": new Routing(db, new IndexedRouteLookup(db, { freshness: 'check' })),
          'SQL per ranking': new Routing(db, new SqlRouteLookup(db)),
        };
        const observed: Record<string, Seen[]> = Object.fromEntries(Object.keys(lookups).map((k) => [k, []]));
        for (const [name, routing] of Object.entries(lookups)) (observed[name] as Seen[]).push(await seen(routing));

        const child = cli.start(['carriers', 'rates', 'import', '--carrier', 'alpha', '--file', 'big.csv', '--json']);
        let finished = false;
        const result = child.done.finally(() => { finished = true; });
        let oldWhileLoading = 0;
        while (!finished) {
          for (const [name, routing] of Object.entries(lookups)) {
            const s = await seen(routing);
            (observed[name] as Seen[]).push(s);
            if (s === 'old' && name === "freshness 'check'" && (await db.one("SELECT id FROM rate_decks WHERE status = 'loading'"))) oldWhileLoading++;
          }
          await new Promise((r) => setTimeout(r, 5));
        }
        const r = await result;
        expect(r.code, r.stderr).to.equal(0);
        expect(JSON.parse(r.stdout)).to.deep.include({ rows: ROWS, carrier: 'alpha' });
        // Right after the switch: strict freshness and SQL see it at once; billing.routing once notified.
        (observed["freshness 'check'"] as Seen[]).push(await seen(lookups["freshness 'check'"] as Routing));
        (observed['SQL per ranking'] as Seen[]).push(await seen(lookups['SQL per ranking'] as Routing));
        for (let i = 0; i < 500 && (observed['billing.routing'] as Seen[]).at(-1) !== 'new'; i++) {
          (observed['billing.routing'] as Seen[]).push(await seen(billing.routing));
          await new Promise((res) => setTimeout(res, 10));
        }

        for (const [name, list] of Object.entries(observed)) {
          expect(list.filter((s) => s !== 'old' && s !== 'new'), `${name}: neither old nor new`).to.deep.equal([]);
          expect(list[0], `${name}: old before`).to.equal('old');
          expect(list.at(-1), `${name}: new after`).to.equal('new');
          const firstNew = list.indexOf('new');
          expect(list.slice(firstNew).every((s) => s === 'new'), `${name}: never back to the old deck`).to.equal(true);
        }
        expect(oldWhileLoading, 'rankings ran while the new version was loading and saw the old deck').to.be.greaterThan(0);
      } finally {
        cli.cleanup();
      }
    });
  });
}
