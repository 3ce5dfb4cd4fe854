import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { batchCsvRecord } from '../../billing/batches/batch-csv';
import type { BatchCard } from '../../billing/batches/batch-card';
import { generatedCards } from '../../billing/batches/batch-generate';
import { writeBatch } from '../../billing/batches/batch-writer';
import { CardNumberGenerator } from '../../billing/batches/digit-source';
import { SecretHasher } from '../../billing/cards/secrets';
import { isLuhnValid } from '../../billing/cards/luhn';
import { createTestDatabase, TEST_SECRET } from '../support/databases';
import type { TestDatabase } from '../support/databases';
import { cliFor, readCsvLines } from './cli-process';

/**
 * No card number and no PIN in clear at rest. The check reads the raw bytes of the SQLite file and
 * its WAL and collects every run of ASCII digits; a number stored in clear (as text, in any column,
 * next to any other digits) shows up as a run containing its first 12 digits — the part that is
 * never stored, since the last 4 are (for display). A 4-digit PIN cannot be searched for alone:
 * any 4-digit string occurs by chance in megabytes of pages. So the PIN check runs on a batch made
 * with 12-digit PINs through the same writer (the hashing path does not depend on PIN length), and
 * the default 4-digit batch is checked logically: no text column of any card row is its PIN.
 * A planted number proves the scanner sees what is written to the WAL.
 */
function digitWindows(files: string[], width: number): Set<string> {
  const out = new Set<string>();
  for (const f of files) {
    if (!fs.existsSync(f)) continue;
    const text = fs.readFileSync(f).toString('latin1');
    for (const m of text.matchAll(/\d{12,}/g)) {
      for (let i = 0; i + width <= m[0].length; i++) out.add(m[0].slice(i, i + width));
    }
  }
  return out;
}

describe('card numbers and PINs at rest (SQLite raw bytes)', function () {
  this.timeout(60_000);
  let tdb: TestDatabase;
  before(async () => { tdb = await createTestDatabase('sqlite'); });
  after(async () => tdb?.drop());

  it('`prepaid cards generate --count 2000`: the CSV has 2000 distinct Luhn-valid numbers; the .db/.db-wal hold none of them nor any PIN', async () => {
    const cli = cliFor(tdb);
    try {
      const r = await cli.run(['cards', 'generate', '--count', '2000', '--value', '5.00', '--batch', 'scan', '--out', 'scan.csv']);
      expect(r.code, r.stderr).to.equal(0);
      const rows = readCsvLines(path.join(cli.dir, 'scan.csv')).slice(1);
      expect(rows).to.have.length(2000);
      const numbers = rows.map((l) => l[1] as string);
      expect(new Set(numbers).size).to.equal(2000);
      expect(numbers.every(isLuhnValid)).to.equal(true);
      expect(r.stdout + r.stderr).to.not.match(/\d{16}/);

      const file = tdb.url.slice('sqlite:'.length);
      const windows = digitWindows([file, `${file}-wal`], 12);
      const leaked = numbers.filter((n) => windows.has(n.slice(0, 12)));
      expect(leaked, 'numbers found in clear').to.deep.equal([]);

      const db = tdb.open();
      try {
        const stored = await db.all<Record<string, unknown>>('SELECT * FROM cards');
        expect(stored).to.have.length(2000);
        const bySerial = new Map(rows.map((l) => [l[0] as string, l]));
        for (const card of stored) {
          const line = bySerial.get(card.serial as string) as string[];
          const [, number, pin] = line;
          // Text columns only: the numeric ones (ids, amounts, times) can equal a 4-digit PIN by chance.
          for (const [col, v] of Object.entries(card)) {
            if (col === 'last4' || typeof v !== 'string') continue;
            expect(v, `${col} of ${card.serial}`).to.not.equal(pin);
            expect(v).to.not.contain(number as string);
          }
        }
      } finally {
        await db.close();
      }
    } finally {
      cli.cleanup();
    }
  });

  it('12-digit PINs through the same writer: neither numbers nor PINs are in the .db or the live WAL; a planted number is found', async () => {
    const db = tdb.open();
    const file = tdb.url.slice('sqlite:'.length);
    try {
      const hasher = new SecretHasher(TEST_SECRET);
      const numbers = new CardNumberGenerator('7');
      const written: BatchCard[] = [];
      const csv: string[] = [];
      await writeBatch(db, hasher, Date.UTC(2026, 0, 1), { name: 'long-pins', currency: 'USD', status: 'inactive', source: 'generated', actor: 'test', value_minor: 500 }, {
        cards: (id) => generatedCards(id, { count: 2000, value_minor: 500, expiry: { kind: 'none' }, pin_length: 12 }, numbers, 500),
        onChunk: (cards) => { written.push(...cards); csv.push(...cards.map((c) => batchCsvRecord(c, 'USD').join(','))); },
        onTakenNumber: (c) => ({ ...c, number: numbers.next() }),
      });
      expect(written).to.have.length(2000);
      expect(fs.statSync(`${file}-wal`).size, 'the WAL holds the batch while the connection is open').to.be.greaterThan(100_000);
      const windows = digitWindows([file, `${file}-wal`], 12);
      expect(written.filter((c) => windows.has(c.number.slice(0, 12))), 'numbers').to.deep.equal([]);
      expect(written.filter((c) => windows.has(c.pin)), 'PINs').to.deep.equal([]);
      expect(csv.filter((line) => fs.readFileSync(`${file}-wal`).includes(line))).to.deep.equal([]);

      // Positive control: a number written in clear is seen by the same scan.
      const planted = written[1234] as BatchCard;
      await db.run("INSERT INTO operator_events (action, target_kind, target_id, actor, detail, created_at_ms) VALUES ('control', 'card', '0', 'test', ?, 0)", [`x${planted.number}${planted.pin}`]);
      const after = digitWindows([file, `${file}-wal`], 12);
      expect(after.has(planted.number.slice(0, 12))).to.equal(true);
      expect(after.has(planted.pin)).to.equal(true);
    } finally {
      await db.close();
    }
  });
});
