import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { isLuhnValid } from '../../billing/cards/luhn';
import { SecretHasher } from '../../billing/cards/secrets';
import { merchantByApiKey } from '../../billing/merchants/merchants';
import type { Database } from '../../billing/store/sql/database';
import { verifyLedger } from '../../billing/verify/ledger-verify';
import { createTestDatabase, KINDS, requireKind, TEST_SECRET } from '../support/databases';
import type { TestDatabase } from '../support/databases';
import { cliFor, readCsvLines, testCardNumber } from './cli-process';
import type { CliEnv } from './cli-process';

/**
 * The operator CLI end to end: every command runs as a subprocess (`node bin/prepaid.mjs …`) against a
 * fresh database, and each test checks the exit code, the output and the effect in the database.
 * Read-only commands run concurrently to keep the number of sequential process starts down.
 */
const hasher = new SecretHasher(TEST_SECRET);
const HEADER = 'serial,card_number,pin,value,currency,expires';

interface CardRow { id: number; serial: string; last4: string; status: string; balance_minor: number; number_hash: string; pin_hash: string; expiry_kind: string; expiry_days: number | null; expires_at_ms: number | null; activated_at_ms: number | null; batch_id: number }

for (const kind of KINDS) {
  describe(`prepaid CLI end to end (${kind})`, function () {
    this.timeout(60_000);
    let tdb: TestDatabase;
    let db: Database;
    let cli: CliEnv;
    let generated: string[][] = [];

    before(async function () {
      await requireKind(this, kind);
      tdb = await createTestDatabase(kind);
      db = tdb.open();
      cli = cliFor(tdb);
    });
    after(async () => {
      await db?.close();
      await tdb?.drop();
      cli?.cleanup();
    });

    const cards = (batch: string) => db.all<CardRow>('SELECT c.* FROM cards c JOIN batches b ON b.id = c.batch_id WHERE b.name = ? ORDER BY c.id', [batch]);

    it('cards generate: writes a 0600 CSV of distinct Luhn-valid numbers, stores only hashes, books the value once', async () => {
      const r = await cli.run(['cards', 'generate', '--count', '25', '--value', '10.00', '--batch', 'gen1', '--expires-after-activation', '90d', '--out', 'gen1.csv', '--json']);
      expect(r.code, r.stderr).to.equal(0);
      const out = JSON.parse(r.stdout) as { batch: { name: string; card_count: number; total_minor: number; status: string } };
      expect(out.batch).to.include({ name: 'gen1', card_count: 25, total_minor: 25_000, status: 'inactive' });
      const file = path.join(cli.dir, 'gen1.csv');
      expect(fs.statSync(file).mode & 0o777).to.equal(0o600);
      expect(fs.existsSync(`${file}.partial`)).to.equal(false);
      const lines = readCsvLines(file);
      expect(lines[0]?.join(',')).to.equal(HEADER);
      generated = lines.slice(1);
      expect(generated).to.have.length(25);
      expect(new Set(generated.map((l) => l[1])).size).to.equal(25);
      for (const [serial, number, pin, value, currency, expires] of generated as string[][]) {
        expect(isLuhnValid(number as string), number).to.equal(true);
        expect(pin).to.match(/^\d{4}$/);
        expect([value, currency, expires]).to.deep.equal(['10.00', 'USD', '90d after activation']);
        expect(serial).to.match(/^B\d+-\d{6}$/);
      }
      const rows = await cards('gen1');
      expect(rows).to.have.length(25);
      const bySerial = new Map(rows.map((c) => [c.serial, c]));
      for (const [serial, number, pin] of generated as string[][]) {
        const c = bySerial.get(serial as string);
        expect(c, serial).to.not.equal(undefined);
        expect(c?.number_hash).to.equal(hasher.cardNumber(number as string));
        expect(c?.pin_hash).to.equal(hasher.pin(c?.number_hash as string, pin as string));
        expect(c).to.include({ last4: (number as string).slice(-4), status: 'inactive', balance_minor: 1000, expiry_kind: 'after_activation', expiry_days: 90, expires_at_ms: null });
      }
      const entries = await db.all<{ kind: string; actor: string; n: number }>('SELECT e.kind, e.actor, COUNT(p.id) AS n FROM ledger_entries e JOIN postings p ON p.entry_id = e.id GROUP BY e.id, e.kind, e.actor');
      expect(entries.map((e) => [e.kind, Number(e.n)])).to.deep.equal([['issue', 26]]);
      expect((await verifyLedger(db)).violations).to.deep.equal([]);
    });

    it('cards generate: refuses to overwrite a file (1) and rejects bad flags naming the flag (2), issuing nothing', async () => {
      const before = fs.readFileSync(path.join(cli.dir, 'gen1.csv'));
      const [again, badValue, twoExpiries] = await Promise.all([
        cli.run(['cards', 'generate', '--count', '5', '--value', '10.00', '--batch', 'gen2', '--out', 'gen1.csv']),
        cli.run(['cards', 'generate', '--count', '5', '--value', '10.001', '--out', 'x.csv']),
        cli.run(['cards', 'generate', '--count', '5', '--value', '1.00', '--expires', '2099-01-01', '--expires-after-first-use', '30d', '--out', 'y.csv']),
      ]);
      expect(again.code).to.equal(1);
      expect(again.stderr).to.match(/--out: gen1\.csv already exists; refusing to overwrite/);
      expect(fs.readFileSync(path.join(cli.dir, 'gen1.csv')).equals(before)).to.equal(true);
      expect(badValue.code).to.equal(2);
      expect(badValue.stderr).to.contain('--value: "10.001" is not an amount in USD (expected e.g. 10.00)');
      expect(twoExpiries.code).to.equal(2);
      expect(twoExpiries.stderr).to.contain('choose one of --expires');
      expect(fs.existsSync(path.join(cli.dir, 'x.csv')) || fs.existsSync(path.join(cli.dir, 'y.csv'))).to.equal(false);
      expect(Number((await db.one<{ n: number }>('SELECT COUNT(*) AS n FROM batches'))?.n)).to.equal(1);
    });

    it('batches activate / suspend / list: every card of the batch changes, expiry clock starts on activation', async () => {
      const act = await cli.run(['batches', 'activate', 'gen1', '--operator', 'alice']);
      expect(act.code, act.stderr).to.equal(0);
      expect(act.stdout).to.contain('25 card(s) now active');
      let rows = await cards('gen1');
      expect(rows.every((c) => c.status === 'active' && c.activated_at_ms !== null && c.expires_at_ms === Number(c.activated_at_ms) + 90 * 86_400_000)).to.equal(true);
      const [sus, missing] = await Promise.all([cli.run(['batches', 'suspend', 'gen1']), cli.run(['batches', 'activate', 'nope'])]);
      expect(sus.code, sus.stderr).to.equal(0);
      expect(missing.code).to.equal(1);
      expect(missing.stderr).to.contain('no batch named "nope"');
      rows = await cards('gen1');
      expect(rows.every((c) => c.status === 'suspended')).to.equal(true);
      expect((await cli.run(['batches', 'activate', 'gen1'])).code).to.equal(0);
      const list = await cli.json<{ batches: Array<{ name: string; status: string; card_count: number; cards_by_status: Record<string, number> }> }>(['batches', 'list']);
      expect(list.batches).to.have.length(1);
      expect(list.batches[0]).to.deep.include({ name: 'gen1', status: 'active', card_count: 25, cards_by_status: { active: 25 } });
      const events = await db.all<{ action: string; actor: string }>("SELECT action, actor FROM operator_events WHERE target_kind = 'batch' ORDER BY id");
      expect(events.map((e) => e.action)).to.deep.equal(['batch.generate', 'batch.activate', 'batch.suspend', 'batch.activate']);
      expect(events[1]?.actor).to.equal('alice');
    });

    it('cards import: a good file imports every row; a file with a bad 7th line imports nothing and names line 7', async () => {
      const good = [HEADER, ...Array.from({ length: 12 }, (_, i) => `PP-${i + 1},${testCardNumber(i + 1)},${String(1000 + i)},${i % 2 ? '5.00' : '7.50'},USD,${i < 6 ? '2099-12-31' : '30d after first use'}`)];
      fs.writeFileSync(path.join(cli.dir, 'preprinted.csv'), `${good.join('\n')}\n`);
      const bad = [...good.slice(0, 6).map((l) => l.replace(/PP-/, 'QQ-').replace(/,4000/, ',4100')), `QQ-7,${testCardNumber(7).slice(0, 15)}9,1234,5.00,USD,`];
      bad[6] = `QQ-7,${testCardNumber(99).replace(/\d$/, (d) => String((Number(d) + 1) % 10))},1234,5.00,USD,`; // Luhn broken on line 7
      fs.writeFileSync(path.join(cli.dir, 'bad.csv'), `${bad.join('\n')}\n`);
      const [ok, wrong] = await Promise.all([
        cli.run(['cards', 'import', '--file', 'preprinted.csv', '--batch', 'pre1', '--activate']),
        cli.run(['cards', 'import', '--file', 'bad.csv', '--batch', 'bad1']),
      ]);
      expect(ok.code, ok.stderr).to.equal(0);
      expect(ok.stdout).to.match(/batch pre1 .*12 cards, 75\.00 USD in total/);
      const rows = await cards('pre1');
      expect(rows.map((c) => c.balance_minor)).to.deep.equal(Array.from({ length: 12 }, (_, i) => (i % 2 ? 500 : 750)));
      expect(rows.every((c) => c.status === 'active')).to.equal(true);
      expect(rows[0]?.expires_at_ms).to.equal(Date.UTC(2100, 0, 1));
      expect(rows[11]).to.include({ expiry_kind: 'after_first_use', expiry_days: 30 });
      expect(rows[3]?.pin_hash).to.equal(hasher.pin(hasher.cardNumber(testCardNumber(4)), '1003'));
      expect(wrong.code).to.equal(1);
      expect(wrong.stderr).to.contain('nothing was imported');
      expect(wrong.stderr).to.contain('line 7: card_number: expected 16 digits with a valid Luhn check digit');
      expect(wrong.stderr).to.not.contain(testCardNumber(1).slice(0, 12));
      expect(await db.one("SELECT id FROM batches WHERE name = 'bad1'")).to.equal(undefined);
      expect(Number((await db.one<{ n: number }>("SELECT COUNT(*) AS n FROM cards WHERE serial LIKE 'QQ-%'"))?.n)).to.equal(0);
      // The same numbers again: already issued → line 2, nothing imported.
      const dup = await cli.run(['cards', 'import', '--file', 'preprinted.csv', '--batch', 'pre2']);
      expect(dup.code).to.equal(1);
      expect(dup.stderr).to.match(/line 2: (card_number|serial): .*already/);
      expect(await db.one("SELECT id FROM batches WHERE name = 'pre2'")).to.equal(undefined);
    });

    it('cards show / adjust / suspend / close / activate: by number or serial, masked output, ledger entry with reason and operator', async () => {
      const [serial, number] = generated[0] as string[];
      const [show, adjust] = await Promise.all([
        cli.run(['cards', 'show', `${(number as string).slice(0, 4)} ${(number as string).slice(4)}`]),
        cli.run(['cards', 'adjust', serial as string, '--amount', '-1.25', '--reason', 'duplicate charge, ticket 9', '--operator', 'bob', '--json']),
      ]);
      expect(show.code, show.stderr).to.equal(0);
      expect(show.stdout).to.contain(`•••• ${(number as string).slice(-4)}`);
      expect(show.stdout).to.contain(`serial ${serial}`);
      expect(show.stdout).to.not.contain(number as string);
      expect(adjust.code, adjust.stderr).to.equal(0);
      expect(JSON.parse(adjust.stdout).card).to.include({ balance: '8.75', serial });
      expect(adjust.stdout).to.not.contain(number as string);
      const entry = await db.one<{ kind: string; reason: string; actor: string; amount_minor: number }>(
        "SELECT e.kind, e.reason, e.actor, p.amount_minor FROM ledger_entries e JOIN postings p ON p.entry_id = e.id AND p.card_id IS NOT NULL WHERE e.kind = 'adjustment'");
      expect(entry).to.deep.include({ kind: 'adjustment', reason: 'duplicate charge, ticket 9', actor: 'bob' });
      expect(Number(entry?.amount_minor)).to.equal(-125);

      const suspend = await cli.json<{ card: { status: string; last4: string }; previous_status: string }>(['cards', 'suspend', number as string, '--reason', 'reported lost']);
      expect(suspend).to.deep.include({ previous_status: 'active' });
      expect(suspend.card.status).to.equal('suspended');
      const close = await cli.run(['cards', 'close', serial as string]);
      expect(close.code, close.stderr).to.equal(0);
      expect(close.stdout).to.contain('suspended → closed');
      const [reopen, unknown, overdraw] = await Promise.all([
        cli.run(['cards', 'activate', serial as string]),
        cli.run(['cards', 'show', testCardNumber(424242)]),
        cli.run(['cards', 'adjust', (generated[1] as string[])[0] as string, '--amount', '-10.01', '--reason', 'too much']),
      ]);
      expect(reopen.code).to.equal(1);
      expect(reopen.stderr).to.contain('a closed card cannot become active');
      expect(unknown.code).to.equal(1);
      expect(unknown.stderr).to.contain('no card with that number or serial');
      expect(overdraw.code).to.equal(1);
      expect(overdraw.stderr).to.contain('insufficient_funds');
      const row = await db.one<CardRow>('SELECT * FROM cards WHERE serial = ?', [serial as string]);
      expect(row).to.include({ status: 'closed', balance_minor: 875 });
      const shown = await cli.json<{ card: { status: string; balance: string }; history: Array<{ kind: string; amount: string }> }>(['cards', 'show', serial as string]);
      expect(shown.card).to.include({ status: 'closed', balance: '8.75' });
      expect(shown.history.map((h) => [h.kind, h.amount])).to.deep.equal([['adjustment', '-1.25'], ['issue', '10.00']]);
      const actions = await db.all<{ action: string; actor: string }>("SELECT action, actor FROM operator_events WHERE target_kind = 'card' ORDER BY id");
      expect(actions.map((a) => a.action)).to.deep.equal(['card.adjust', 'card.suspend', 'card.close']);
    });

    it('rates import: validates, previews the difference, switches atomically; a bad row imports nothing; rates show', async () => {
      const head = 'prefix,destination,rate_per_minute,connect_fee,initial_increment,increment,minimum_charge,blocked';
      fs.writeFileSync(path.join(cli.dir, 'deck1.csv'), [head, '44,United Kingdom,0.0125,0.05,60,60,0.10,no', '4420,London,0.01,,30,6,,no', '1900,Premium,0,0,1,1,0,yes'].join('\n'));
      fs.writeFileSync(path.join(cli.dir, 'deck2.csv'), [head, '44,United Kingdom,0.02,0.05,60,60,0.10,no', '33,France,0.0099,,1,1,,false', '1900,Premium,0,0,1,1,0,TRUE'].join('\n'));
      fs.writeFileSync(path.join(cli.dir, 'deck-bad.csv'), [head, '34,Spain,0.01,,60,60,,no', '35,Portugal,0.01,,60,60,,no', '36,Hungary,0.1234567,,60,60,,no', '37,Somewhere,0.01,,0,60,,maybe'].join('\n'));
      const dry = await cli.json<{ diff: { added: number }; activated: unknown }>(['rates', 'import', '--file', 'deck1.csv', '--dry-run']);
      expect(dry.diff.added).to.equal(3);
      expect(dry.activated).to.equal(null);
      expect(await db.one('SELECT id FROM rate_decks')).to.equal(undefined);
      const first = await cli.run(['rates', 'import', '--file', 'deck1.csv']);
      expect(first.code, first.stderr).to.equal(0);
      const second = await cli.json<{ diff: { added: number; removed: number; changed: number; unchanged: number }; activated: { row_count: number } }>(['rates', 'import', '--file', 'deck2.csv']);
      expect(second.diff).to.deep.include({ added: 1, removed: 1, changed: 1, unchanged: 1 });
      expect(second.activated.row_count).to.equal(3);
      const [bad, uk, blocked, none, badNumber] = await Promise.all([
        cli.run(['rates', 'import', '--file', 'deck-bad.csv']),
        cli.json<{ rate: { prefix: string; rate_per_minute: string; rate_per_minute_scaled: number; connect_fee: string } }>(['rates', 'show', '+44 20 7123 4567']),
        cli.run(['rates', 'show', '19005550100']),
        cli.run(['rates', 'show', '+4912345']),
        cli.run(['rates', 'show', 'call-me']),
      ]);
      expect(bad.code).to.equal(1);
      expect(bad.stderr).to.contain('line 4: rate_per_minute: expected a decimal with up to 6 decimal places');
      expect(bad.stderr).to.contain('line 5: initial_increment: expected whole seconds from 1 to 3600');
      expect(bad.stderr).to.contain('line 5: blocked: expected yes, no, true, false, 1, 0');
      expect(bad.stderr).to.contain('nothing was imported');
      expect(uk.rate).to.include({ prefix: '44', rate_per_minute: '0.02', rate_per_minute_scaled: 20_000, connect_fee: '0.05' });
      expect(blocked.code).to.equal(0);
      expect(blocked.stdout).to.contain('BLOCKED');
      expect(none.code).to.equal(1);
      expect(none.stdout).to.contain('no rate');
      expect(badNumber.code).to.equal(2);
      const decks = await db.all<{ status: string; row_count: number }>('SELECT status, row_count FROM rate_decks ORDER BY id');
      expect(decks.map((d) => d.status)).to.deep.equal(['retired', 'active']);
      expect(Number((await db.one<{ n: number }>("SELECT COUNT(*) AS n FROM rates r JOIN rate_decks d ON d.id = r.deck_id WHERE d.status = 'active'"))?.n)).to.equal(3);
    });

    it('rates import says which deck calls are rated from, warns about a deck calls do not use; RATE_DECK names that deck (rates show and decks follow it)', async () => {
      const head = 'prefix,destination,rate_per_minute,connect_fee,initial_increment,increment,minimum_charge,blocked';
      fs.writeFileSync(path.join(cli.dir, 'retail.csv'), [head, '44,United Kingdom,0.0300,,60,60,,no'].join('\n'));
      const used = await cli.run(['rates', 'import', '--file', 'deck2.csv', '--dry-run']);
      expect(used.code, used.stderr).to.equal(0);
      expect(used.stdout).to.contain('calls are rated from this deck (RATE_DECK="default")');
      expect(used.stderr).to.not.contain('warning');
      const other = await cli.run(['rates', 'import', '--file', 'retail.csv', '--deck', 'retail', '--json']);
      expect(other.code, other.stderr).to.equal(0);
      expect(other.stderr).to.contain('warning: calls are rated from deck "default" (RATE_DECK), not "retail": this import does not change what calls cost');
      expect(JSON.parse(other.stdout)).to.deep.include({ deck: 'retail', calls_rated_from: 'default', used_by_calls: false });
      const before = await cli.json<{ deck: string; rate: { rate_per_minute: string } }>(['rates', 'show', '+442071234567']);
      expect(before).to.deep.include({ deck: 'default' });
      expect(before.rate.rate_per_minute).to.equal('0.02');
      cli.env.RATE_DECK = 'retail';
      try {
        const [show, decks, again] = await Promise.all([
          cli.json<{ deck: string; rate: { rate_per_minute: string } }>(['rates', 'show', '+442071234567']),
          cli.run(['rates', 'decks']),
          cli.run(['rates', 'import', '--file', 'retail.csv', '--dry-run']),
        ]);
        expect(show.deck).to.equal('retail');
        expect(show.rate.rate_per_minute).to.equal('0.03');
        expect(decks.stdout).to.match(/retail\s+active .*← calls/);
        expect(decks.stdout).to.contain('calls are rated from deck "retail" (RATE_DECK)');
        expect(again.stdout).to.contain('for deck "retail"');
        expect(again.stdout).to.contain('calls are rated from this deck (RATE_DECK="retail")');
      } finally {
        delete cli.env.RATE_DECK;
      }
    });

    it('merchants create / list / rotate-key / revoke-key: the key is printed once and stored only as a keyed hash', async () => {
      const created = await cli.json<{ merchant: { id: number; name: string }; api_key: string }>(['merchants', 'create', '--name', 'Coffee Shop']);
      expect(created.api_key).to.match(/^sk_/);
      const id = created.merchant.id;
      const ctx = { q: db, hasher };
      expect((await merchantByApiKey(ctx, created.api_key))?.id).to.equal(id);
      const stored = await db.all<Record<string, unknown>>('SELECT * FROM merchants');
      expect(JSON.stringify(stored)).to.not.contain(created.api_key);
      const [list, rotated] = await Promise.all([
        cli.json<{ merchants: Array<{ id: number; name: string; status: string }> }>(['merchants', 'list']),
        cli.json<{ api_key: string }>(['merchants', 'rotate-key', String(id)]),
      ]);
      expect(list.merchants.map((m) => [m.name, m.status])).to.deep.include(['Coffee Shop', 'active']);
      expect(await merchantByApiKey(ctx, created.api_key)).to.equal(undefined);
      expect((await merchantByApiKey(ctx, rotated.api_key))?.id).to.equal(id);
      const [revoke, missing, badId] = await Promise.all([
        cli.run(['merchants', 'revoke-key', String(id)]),
        cli.run(['merchants', 'revoke-key', '999']),
        cli.run(['merchants', 'rotate-key', 'abc']),
      ]);
      expect(revoke.code, revoke.stderr).to.equal(0);
      expect(await merchantByApiKey(ctx, rotated.api_key)).to.equal(undefined);
      expect(missing.code).to.equal(1);
      expect(badId.code).to.equal(2);
      expect(badId.stderr).to.contain('expected a whole number');
    });

    it('reports sales / usage / liability / breakage and ledger verify agree with the database', async () => {
      const now = Date.now();
      const card = await db.one<{ id: number }>("SELECT c.id FROM cards c JOIN batches b ON b.id = c.batch_id WHERE b.name = 'pre1' ORDER BY c.id LIMIT 1");
      await db.run("INSERT INTO call_records (id, card_id, destination, destination_name, currency, status, started_at_ms, billed_seconds, cost_minor, captured_minor) VALUES ('call_a', ?, '442071234567', 'United Kingdom', 'USD', 'completed', ?, 90, 30, 30), ('call_b', ?, '442071234568', 'United Kingdom', 'USD', 'completed', ?, 30, 10, 10), ('call_c', ?, '33123', 'France', 'USD', 'failed', ?, 0, 0, 0)", [card?.id ?? 0, now, card?.id ?? 0, now, card?.id ?? 0, now]);
      // One card expired yesterday with its value still on it: "expired, not yet booked".
      await db.run("UPDATE cards SET expires_at_ms = ? WHERE serial = 'PP-2'", [now - 86_400_000]);
      const [sales, usage, liability, breakage, verify] = await Promise.all([
        cli.json<{ lines: Array<{ kind: string; cards: number; amount_minor: number; currency: string }> }>(['reports', 'sales']),
        cli.json<{ lines: Array<{ destination: string; calls: number; billed_seconds: number; revenue: string }> }>(['reports', 'usage']),
        cli.json<{ totals: Array<{ currency: string; cards: number; balance_minor: number; agrees: boolean }> }>(['reports', 'liability']),
        cli.json<{ unbooked: Array<{ cards: number; amount_minor: number }>; booked: unknown[] }>(['reports', 'breakage']),
        cli.run(['ledger', 'verify']),
      ]);
      // Summed over days: the batches may straddle midnight UTC.
      expect([...new Set(sales.lines.map((l) => `${l.kind} ${l.currency}`))]).to.deep.equal(['issue USD']);
      expect([sales.lines.reduce((s, l) => s + l.cards, 0), sales.lines.reduce((s, l) => s + l.amount_minor, 0)]).to.deep.equal([37, 32_500]);
      expect(usage.lines).to.deep.equal([{ destination: 'United Kingdom', currency: 'USD', calls: 2, billed_seconds: 120, revenue_minor: 40, minutes: '2.0', revenue: '0.40' }]);
      const cardSum = await db.one<{ n: number; s: number }>('SELECT COUNT(*) AS n, SUM(balance_minor) AS s FROM cards');
      expect(liability.totals).to.have.length(1);
      expect(liability.totals[0]).to.deep.include({ currency: 'USD', cards: Number(cardSum?.n), balance_minor: Number(cardSum?.s), agrees: true });
      expect(Number(cardSum?.s)).to.equal(32_500 - 125);
      expect(breakage.unbooked).to.deep.equal([{ currency: 'USD', cards: 1, amount_minor: 500, amount: '5.00' }]);
      expect(breakage.booked).to.deep.equal([]);
      expect(verify.code, verify.stdout).to.equal(0);
      expect(verify.stdout).to.contain('ledger OK');
      const noRange = await cli.run(['reports', 'sales', '--from', '2026-02-30']);
      expect(noRange.code).to.equal(2);
      expect(noRange.stderr).to.contain("option '--from <date>' argument '2026-02-30' is invalid. expected a date as YYYY-MM-DD");
    });
  });
}
