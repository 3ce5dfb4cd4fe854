import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type { Carrier } from '../../billing/carriers/carrier';
import type { RouteRanking } from '../../billing/routing/route-types';
import type { Database } from '../../billing/store/sql/database';
import { createTestDatabase, KINDS, requireKind } from '../support/databases';
import type { TestDatabase } from '../support/databases';
import { cliFor } from './cli-process';
import type { CliEnv } from './cli-process';

/**
 * `prepaid carriers …`, `prepaid routes show` and `prepaid reports margin` as operators run them:
 * each a subprocess against a fresh database; exit codes 0/1/2, errors naming the flag or the line,
 * JSON for scripts, and the effect checked in the database.
 */
const HEAD = 'prefix,destination,rate_per_minute,connect_fee,initial_increment,increment,minimum_charge,blocked';
const SELL = [HEAD, '44,United Kingdom,0.05,,60,60,,no', '447,United Kingdom mobile,0.10,0.05,30,6,,no', '1,North America,0.02,,6,6,,no', '1900,Premium,0.50,,60,60,,yes'];
const ALPHA = [HEAD, '44,UK,0.03,,60,60,,no', '447,UK mobile,0.06,,30,6,,no', '1,US,0.01,0.01,1,1,,no'];
const BRAVO = [HEAD, '4,Europe,0.03,,60,60,,no', '4477,UK mobile,0.05,,60,60,,no', '1,US,0.011,,60,60,,no'];

type CarrierJson = Carrier & { buy_deck: { id: number; row_count: number; currency: string } | null };

for (const kind of KINDS) {
  describe(`prepaid carriers, routes, margin (${kind})`, function () {
    this.timeout(90_000);
    let tdb: TestDatabase;
    let db: Database;
    let cli: CliEnv;
    const write = (name: string, lines: string[]) => fs.writeFileSync(path.join(cli.dir, name), `${lines.join('\n')}\n`);
    const deckVersions = async () => Number((await db.one<{ n: number }>('SELECT COUNT(*) AS n FROM rate_decks WHERE carrier_id IS NOT NULL'))?.n);

    before(async function () {
      await requireKind(this, kind);
      tdb = await createTestDatabase(kind);
      db = tdb.open();
      cli = cliFor(tdb);
      write('sell.csv', SELL);
      write('alpha.csv', ALPHA);
      write('bravo.csv', BRAVO);
      const r = await cli.run(['rates', 'import', '--file', 'sell.csv']);
      expect(r.code, r.stderr).to.equal(0);
    });
    after(async () => {
      await db?.close();
      await tdb?.drop();
      cli?.cleanup();
    });

    it('carriers add: stores every field; a taken name is 1; a bad URI, CIDR or number is 2 naming the flag', async () => {
      const a = await cli.json<{ carrier: Carrier }>(['carriers', 'add', '--name', 'alpha', '--uri', 'sip:gw1.example.net:5060', '--source', '203.0.113.7', '--source', '198.51.100.0/24,2001:db8::/32', '--max-concurrent', '30', '--cps', '5', '--operator', 'alice']);
      expect(a.carrier).to.deep.include({ name: 'alpha', sip_uri: 'sip:gw1.example.net:5060', transport: 'udp', tech_prefix: '', send_plus: false, max_concurrent: 30, cps: 5, sources: ['203.0.113.7', '198.51.100.0/24', '2001:db8::/32'], enabled: true, priority: 0, allow_loss: false });
      const b = await cli.run(['carriers', 'add', '--name', 'bravo', '--uri', 'sip:gw2.example.net', '--transport', 'tcp', '--tech-prefix', '99', '--send-plus', '--priority', '1']);
      expect(b.code, b.stderr).to.equal(0);
      expect(b.stdout).to.contain('carrier bravo (id').and.to.contain('dialled as 99+<E.164 digits>');
      const [dup, uri, cidr, cps, transport, missing] = await Promise.all([
        cli.run(['carriers', 'add', '--name', 'alpha', '--uri', 'sip:other.example.net']),
        cli.run(['carriers', 'add', '--name', 'c1', '--uri', 'http://gw.example.net']),
        cli.run(['carriers', 'add', '--name', 'c2', '--uri', 'sip:gw.example.net', '--source', '10.0.0.0/33']),
        cli.run(['carriers', 'add', '--name', 'c3', '--uri', 'sip:gw.example.net', '--cps', '0']),
        cli.run(['carriers', 'add', '--name', 'c4', '--uri', 'sip:gw.example.net', '--transport', 'sctp']),
        cli.run(['carriers', 'add', '--name', 'c5']),
      ]);
      expect([dup.code, uri.code, cidr.code, cps.code, transport.code, missing.code]).to.deep.equal([1, 2, 2, 2, 2, 2]);
      expect(dup.stderr).to.contain('--name: a carrier named "alpha" already exists');
      expect(uri.stderr).to.contain('--uri: expected a SIP URI such as sip:gw1.example.net:5060');
      expect(cidr.stderr).to.contain('--source: "10.0.0.0/33" is not an IP address or CIDR');
      expect(cps.stderr).to.contain("option '--cps <n>' argument '0' is invalid");
      expect(transport.stderr).to.contain('--transport');
      expect(missing.stderr).to.contain("required option '--uri <sip-uri>' not specified");
      expect((await db.all<{ name: string }>('SELECT name FROM carriers ORDER BY name')).map((r) => r.name)).to.deep.equal(['alpha', 'bravo']);
      const events = await db.all<{ action: string; actor: string; target_id: string }>("SELECT action, actor, target_id FROM operator_events WHERE target_kind = 'carrier' ORDER BY id");
      expect(events[0]).to.deep.equal({ action: 'carrier.add', actor: 'alice', target_id: 'alpha' });
    });

    it('carriers rates import: a dry run changes nothing; the import switches; a bad row anywhere imports nothing, naming its line', async () => {
      const dry = await cli.json<{ rows: number; diff: { added: number }; activated: unknown; dry_run: boolean }>(['carriers', 'rates', 'import', '--carrier', 'alpha', '--file', 'alpha.csv', '--dry-run']);
      expect(dry).to.deep.include({ rows: 3, activated: null, dry_run: true });
      expect(dry.diff.added).to.equal(3);
      expect(await deckVersions()).to.equal(0);
      const [a, b] = await Promise.all([
        cli.run(['carriers', 'rates', 'import', '--carrier', 'alpha', '--file', 'alpha.csv']),
        cli.run(['carriers', 'rates', 'import', '--carrier', 'bravo', '--file', 'bravo.csv']),
      ]);
      expect([a.code, b.code], a.stderr + b.stderr).to.deep.equal([0, 0]);
      expect(a.stdout).to.match(/switched carrier alpha to buy deck version \d+ \(3 rows\), atomically/);
      expect(await deckVersions()).to.equal(2);

      const bigger = [...ALPHA, ...Array.from({ length: 40 }, (_, i) => `${3000 + i},Filler ${i},0.01,,60,60,,no`)];
      const bad: Array<[number, string, string]> = [
        [2, '44,UK,0.03,,60,0,,no', 'line 2: increment: expected whole seconds from 1 to 3600'],
        [20, '3017,Filler,0.0.1,,60,60,,no', 'line 20: rate_per_minute: expected a decimal'],
        [bigger.length, '447,UK again,0.02,,60,60,,no', `line ${bigger.length}: prefix: 447 is also on line 3`],
      ];
      const runs = await Promise.all(bad.map(([line, text], i) => {
        const lines = [...bigger];
        lines[line - 1] = text;
        write(`bad${i}.csv`, lines);
        return cli.run(['carriers', 'rates', 'import', '--carrier', 'alpha', '--file', `bad${i}.csv`]);
      }));
      runs.forEach((r, i) => {
        expect(r.code, r.stderr).to.equal(1);
        expect(r.stderr).to.contain('nothing was imported').and.to.contain((bad[i] as [number, string, string])[2]);
      });
      expect(await deckVersions(), 'no version was even started').to.equal(2);

      const [missingFile, unknown, currency] = await Promise.all([
        cli.run(['carriers', 'rates', 'import', '--carrier', 'alpha', '--file', 'nope.csv']),
        cli.run(['carriers', 'rates', 'import', '--carrier', 'zulu', '--file', 'alpha.csv']),
        cli.run(['carriers', 'rates', 'import', '--carrier', 'alpha', '--file', 'alpha.csv', '--currency', 'EUR']),
      ]);
      expect([missingFile.code, unknown.code, currency.code]).to.deep.equal([2, 1, 2]);
      expect(missingFile.stderr).to.contain('--file: nope.csv does not exist');
      expect(unknown.stderr).to.contain('no carrier named "zulu"');
      expect(currency.stderr).to.contain('--currency: the sell deck "default" is in USD');
      // Sell-deck commands keep away from buy decks.
      const [hijack, decks] = await Promise.all([
        cli.run(['rates', 'import', '--file', 'alpha.csv', '--deck', 'carrier:1']),
        cli.json<{ decks: Array<{ name: string }> }>(['rates', 'decks']),
      ]);
      expect(hijack.code).to.equal(2);
      expect(hijack.stderr).to.contain('carriers rates import');
      expect(decks.decks.map((d) => d.name)).to.deep.equal(['default']);
    });

    it('routes show: the ranking readable and as JSON; blocked and unpriced are 1, not a number is 2', async () => {
      const text = await cli.run(['routes', 'show', '+44 7700 900123']);
      expect(text.code, text.stderr).to.equal(0);
      const lines = text.stdout.trim().split('\n');
      expect(lines[0]).to.equal('+447700900123 → United Kingdom mobile (sell prefix 447, 0.10/min USD)');
      expect(lines[1]).to.match(/^ {2}1\. +bravo +prefix 4477 +buy 0\.05\/min +connect 0\.00 +60\/60 s +margin 0\.05\/min +→ sip:gw2\.example\.net \(tcp\) as 99\+447700900123$/);
      expect(lines[2]).to.match(/^ {2}2\. +alpha +prefix 447 +buy 0\.06\/min +connect 0\.00 +30\/6 s +margin 0\.04\/min +→ sip:gw1\.example\.net:5060 \(udp\) as 447700900123$/);
      const json = await cli.json<RouteRanking & { destination: string }>(['routes', 'show', '12125550123']);
      expect(json.ok && json.candidates.map((c) => [c.order, c.carrier.name, c.prefix, c.buy.rate_per_minute_scaled, c.margin_per_minute_scaled, c.dial_user])).to.deep.equal([
        [1, 'alpha', '1', 10_000, 10_000, '12125550123'], [2, 'bravo', '1', 11_000, 9_000, '99+12125550123'],
      ]);
      expect(json.destination).to.equal('North America');
      const [blocked, unpriced, junk] = await Promise.all([
        cli.run(['routes', 'show', '19005551234']), cli.run(['routes', 'show', '8612345678', '--json']), cli.run(['routes', 'show', 'call-me']),
      ]);
      expect([blocked.code, unpriced.code, junk.code]).to.deep.equal([1, 1, 2]);
      expect(blocked.stdout).to.contain('+19005551234: blocked in the sell deck: no route');
      expect(JSON.parse(unpriced.stdout)).to.deep.include({ ok: false, reason: 'unpriced' });
      expect(junk.stderr).to.contain('<number>: "call-me" is not a phone number');
    });

    it('carriers disable / enable / set / list / show: the next ranking follows; only the options given change', async () => {
      const off = await cli.run(['carriers', 'disable', 'bravo']);
      expect(off.code, off.stderr).to.equal(0);
      const ranked = await cli.json<RouteRanking>(['routes', 'show', '447700900123']);
      expect(ranked.ok && ranked.candidates.map((c) => c.carrier.name)).to.deep.equal(['alpha']);
      expect(ranked.skipped).to.deep.equal([{ carrier: { id: 2, name: 'bravo' }, reason: 'disabled' }]);
      expect((await cli.run(['carriers', 'enable', 'bravo'])).code).to.equal(0);

      const set = await cli.json<{ carrier: Carrier; changed: string[] }>(['carriers', 'set', 'alpha', '--priority', '-5', '--no-sources', '--cps', 'unlimited', '--allow-loss', '--rename', 'alpha2']);
      expect(set.changed.sort()).to.deep.equal(['allow_loss', 'cps', 'name', 'priority', 'sources']);
      expect(set.carrier).to.deep.include({ name: 'alpha2', priority: -5, sources: [], cps: null, max_concurrent: 30, allow_loss: true, sip_uri: 'sip:gw1.example.net:5060' });
      const [nothing, unknown, badUri] = await Promise.all([
        cli.run(['carriers', 'set', 'alpha2']), cli.run(['carriers', 'set', 'zulu', '--cps', '3']), cli.run(['carriers', 'set', 'alpha2', '--uri', 'sip:']),
      ]);
      expect([nothing.code, unknown.code, badUri.code]).to.deep.equal([2, 1, 2]);
      expect(nothing.stderr).to.contain('nothing to change');
      expect(badUri.stderr).to.contain('--uri:');

      const list = await cli.json<{ carriers: CarrierJson[] }>(['carriers', 'list']);
      expect(list.carriers.map((c) => [c.name, c.enabled, c.buy_deck?.row_count])).to.deep.equal([['alpha2', true, 3], ['bravo', true, 3]]);
      const show = await cli.run(['carriers', 'show', 'bravo']);
      expect(show.stdout).to.contain('SIP target   sip:gw2.example.net over tcp').and.to.match(/v\d+ active +3 rows USD/);
      await cli.run(['carriers', 'set', 'alpha2', '--rename', 'alpha', '--priority', '0', '--no-allow-loss']);
    });

    it('reports margin: the JSON and the table follow the recorded calls; a bad --by is 2', async () => {
      const ids = Object.fromEntries((await db.all<{ id: number; name: string }>('SELECT id, name FROM carriers')).map((c) => [c.name, Number(c.id)]));
      const day = Date.UTC(2026, 2, 3, 12);
      // Settled calls as the IVR and the edge leave them (revenue cost_minor, buy cost, talk time).
      const calls: Array<[string, string, number | null, number, number, number]> = [
        // id, destination name, carrier, revenue, buy cost, talk ms
        ['c1', 'United Kingdom mobile', ids.alpha as number, 120, 60, 65_000],
        ['c2', 'United Kingdom mobile', ids.bravo as number, 200, 90, 130_000],
        ['c3', 'North America', ids.alpha as number, 15, 4, 40_000],
        ['c4', 'North America', null, 30, 0, 20_000],
      ];
      for (const [id, dest, carrier, cost, buy, talk] of calls) {
        await db.run(`INSERT INTO call_records (id, destination_name, currency, status, started_at_ms, answered_at_ms, ended_at_ms, billed_seconds, cost_minor, carrier_id, talk_ms, buy_cost_minor)
          VALUES (?, ?, 'USD', 'completed', ?, ?, ?, ?, ?, ?, ?, ?)`, [id, dest, day, day + 5000, day + 5000 + talk, Math.ceil(talk / 1000), cost, carrier, talk, carrier === null ? null : buy]);
      }
      const attempt = (call: string, carrier: number, outcome: string) => db.run('INSERT INTO route_attempts (call_id, carrier_id, attempt_order, started_at_ms, ended_at_ms, sip_status, outcome) VALUES (?, ?, 1, ?, ?, NULL, ?)', [call, carrier, day, day + 1, outcome]);
      await attempt('c1', ids.alpha as number, 'answered');
      await attempt('c2', ids.alpha as number, 'failed');
      await attempt('c2', ids.bravo as number, 'answered');
      await attempt('c3', ids.alpha as number, 'answered');

      const r = await cli.json<{ from: string; to: string; lines: Array<{ key: string; calls: number; minutes: string; revenue: string; cost: string; margin: string; asr: number; acd_s: number }>; totals: Array<{ margin: string }>; without_carrier: unknown[] }>(
        ['reports', 'margin', '--from', '2026-03-01', '--to', '2026-03-31']);
      expect([r.from, r.to]).to.deep.equal(['2026-03-01', '2026-03-31']);
      expect(r.lines.map((l) => [l.key, l.calls, l.minutes, l.revenue, l.cost, l.margin, l.asr, l.acd_s])).to.deep.equal([
        ['bravo', 1, (130 / 60).toFixed(1), '2.00', '0.90', '1.10', 1, 130],
        ['alpha', 2, (105 / 60).toFixed(1), '1.35', '0.64', '0.71', 0.6667, 52.5],
      ]);
      expect(r.totals.map((t) => t.margin)).to.deep.equal(['1.81']);
      expect(r.without_carrier).to.deep.equal([{ currency: 'USD', calls: 1, revenue_minor: 30 }]);

      const text = await cli.run(['reports', 'margin', '--from', '2026-03-01', '--to', '2026-03-31', '--by', 'destination']);
      expect(text.code, text.stderr).to.equal(0);
      expect(text.stdout).to.contain('margin 2026-03-01 … 2026-03-31, by destination');
      expect(text.stdout).to.match(/United Kingdom mobile +USD +2 +3\.3 +3\.20 +1\.50 +1\.70 +66\.7% +1:38/);
      expect(text.stdout).to.match(/North America +USD +1 +0\.7 +0\.15 +0\.04 +0\.11 +100\.0% +0:40/);
      expect(text.stdout).to.contain('total USD: 3 calls').and.to.contain('margin 1.81').and.to.contain('not in this report: 1 answered call(s) with no carrier (revenue 0.30 USD)');
      const bad = await cli.run(['reports', 'margin', '--by', 'country']);
      expect(bad.code).to.equal(2);
      expect(bad.stderr).to.contain("argument 'country' is invalid");
    });
  });
}
