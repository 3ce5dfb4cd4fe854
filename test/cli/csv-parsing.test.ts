import { Readable } from 'node:stream';
import { expect } from 'chai';
import { parseBatchFile } from '../../billing/batches/batch-csv';
import { CsvImportError } from '../../billing/batches/csv-rows';
import { CardNumberGenerator, DigitSource } from '../../billing/batches/digit-source';
import { isLuhnValid } from '../../billing/cards/luhn';
import { diffDecks, parseRateDeck } from '../../billing/rating/rate-csv';
import { testCardNumber } from './cli-process';

const RATE_HEAD = 'prefix,destination,rate_per_minute,connect_fee,initial_increment,increment,minimum_charge,blocked';
const CARD_HEAD = 'serial,card_number,pin,value,currency,expires';
const input = (lines: string[]) => Readable.from([`${lines.join('\n')}\n`]);

async function problemsOf(p: Promise<unknown>): Promise<string[]> {
  try {
    await p;
    return [];
  } catch (err) {
    if (err instanceof CsvImportError) return err.problems.map((x) => `line ${x.line}: ${x.column ? `${x.column}: ` : ''}${x.message}`);
    throw err;
  }
}

describe('rate deck CSV rows (table)', () => {
  const ROWS: Array<{ row: string; currency?: string; expect: string | Record<string, unknown> }> = [
    { row: '44,UK,0.0125,0.05,60,60,0.10,no', expect: { prefix: '44', rate_per_minute_scaled: 12_500, connect_fee_minor: 5, min_charge_minor: 10, blocked: false } },
    { row: '+1,US,0.01,,1,1,,', expect: { prefix: '1', rate_per_minute_scaled: 10_000, connect_fee_minor: 0, min_charge_minor: 0, blocked: false } },
    { row: '1900,Premium,0,0,1,1,0,YES', expect: { blocked: true, rate_per_minute_scaled: 0 } },
    { row: '81,Japan,1.2345,5,60,60,10,0', currency: 'JPY', expect: { rate_per_minute_scaled: 12_345, connect_fee_minor: 5, min_charge_minor: 10 } },
    { row: '81,Japan,1.23456,5,60,60,10,0', currency: 'JPY', expect: 'line 2: rate_per_minute: expected a decimal with up to 4 decimal places' },
    { row: '81,Japan,1,0.5,60,60,10,0', currency: 'JPY', expect: 'line 2: connect_fee: expected empty (0) or a whole number, e.g. 5' },
    { row: '44,UK,0.1234567,,60,60,,no', expect: 'line 2: rate_per_minute: expected a decimal with up to 6 decimal places, e.g. 0.0125' },
    { row: '44,UK,-1,,60,60,,no', expect: 'line 2: rate_per_minute: expected a decimal' },
    { row: '44x,UK,0.01,,60,60,,no', expect: 'line 2: prefix: expected 1 to 15 digits' },
    { row: '44,,0.01,,60,60,,no', expect: 'line 2: destination: expected a name of 1 to 200 characters' },
    { row: '44,UK,0.01,,0,60,,no', expect: 'line 2: initial_increment: expected whole seconds from 1 to 3600' },
    { row: '44,UK,0.01,,60,3601,,no', expect: 'line 2: increment: expected whole seconds from 1 to 3600' },
    { row: '44,UK,0.01,,60,60,,maybe', expect: 'line 2: blocked: expected yes, no, true, false, 1, 0' },
    { row: '44,UK,0.01,,60,60', expect: 'line 2: expected 8 fields, found 6' },
  ];
  for (const t of ROWS) {
    it(`${t.currency ?? 'USD'} ${t.row} → ${typeof t.expect === 'string' ? t.expect : 'ok'}`, async () => {
      const p = parseRateDeck(input([RATE_HEAD, t.row]), t.currency ?? 'USD');
      if (typeof t.expect === 'string') {
        const problems = await problemsOf(p);
        expect(problems).to.have.length.greaterThan(0);
        expect(problems[0]).to.contain(t.expect);
      } else {
        expect((await p)[0]).to.include(t.expect);
      }
    });
  }

  it('reports every bad line (line numbers count the header), duplicates and a wrong header', async () => {
    const lines = [RATE_HEAD, '44,UK,0.01,,60,60,,no', '33,FR,0.01,,60,60,,no', '44,UK again,0.02,,60,60,,no', '', '49,DE,x,,60,60,,no'];
    expect(await problemsOf(parseRateDeck(input(lines), 'USD'))).to.deep.equal([
      'line 4: prefix: 44 is also on line 2; each prefix once',
      'line 6: rate_per_minute: expected a decimal with up to 6 decimal places, e.g. 0.0125',
    ]);
    expect((await problemsOf(parseRateDeck(input(['prefix,destination,rate', '44,UK,1']), 'USD')))[0]).to.match(/^line 1: header must name the columns .*missing rate_per_minute.*unknown rate$/);
    expect(await problemsOf(parseRateDeck(input([RATE_HEAD]), 'USD'))).to.deep.equal(['line 2: the file has no rates']);
  });

  it('diffDecks counts added, removed, changed and unchanged', async () => {
    const a = await parseRateDeck(input([RATE_HEAD, '44,UK,0.01,,60,60,,no', '33,FR,0.01,,60,60,,no', '49,DE,0.01,,60,60,,no']), 'USD');
    const b = await parseRateDeck(input([RATE_HEAD, '44,UK,0.01,,60,60,,no', '33,FR,0.01,,60,60,,yes', '39,IT,0.01,,60,60,,no']), 'USD');
    const d = diffDecks(a, b);
    expect([d.added, d.removed, d.changed, d.unchanged]).to.deep.equal([1, 1, 1, 1]);
    expect(d.examples.changed[0]?.after.blocked).to.equal(true);
  });
});

describe('card batch CSV rows (table)', () => {
  const n = testCardNumber(5);
  const ROWS: Array<{ row: string; expect: string | Record<string, unknown> }> = [
    { row: `S-1,${n},1234,10.00,USD,`, expect: { serial: 'S-1', value_minor: 1000 } },
    { row: `S-1,${n},1234,10,JPY,2030-02-28`, expect: { value_minor: 10 } },
    { row: `S-1,${n},1234,10.00,USD,90d after activation`, expect: { value_minor: 1000 } },
    { row: `S-1,${n.slice(0, 15)}0,1234,10.00,USD,`, expect: 'line 2: card_number: expected 16 digits with a valid Luhn check digit' },
    { row: `S-1,${n},12a4,10.00,USD,`, expect: 'line 2: pin: expected 4 to 12 digits' },
    { row: `S-1,${n},1234,10.001,USD,`, expect: 'line 2: value: "10.001" is not an amount in USD' },
    { row: `S-1,${n},1234,0.00,USD,`, expect: 'line 2: value: expected an amount greater than zero' },
    { row: `S-1,${n},1234,1.00,XXY,`, expect: 'line 2: currency: expected an ISO 4217 code such as USD' },
    { row: `S-1,${n},1234,1.00,USD,2030-02-30`, expect: 'line 2: expires: expected empty, YYYY-MM-DD, "90d after activation" or "90d after first use"' },
    { row: `S 1,${n},1234,1.00,USD,`, expect: 'line 2: serial: expected 1 to 32 letters, digits or dashes' },
  ];
  for (const t of ROWS) {
    it(`${t.row.replace(n, '<number>')} → ${typeof t.expect === 'string' ? t.expect : 'ok'}`, async () => {
      const p = parseBatchFile(input([CARD_HEAD, t.row]));
      if (typeof t.expect === 'string') {
        const problems = await problemsOf(p);
        expect(problems[0]).to.contain(t.expect);
        expect(problems.join('\n')).to.not.contain(n.slice(0, 12)); // never echoes a card number
      } else {
        expect((await p).cards[0]).to.include(t.expect);
      }
    });
  }

  it('the 7th line bad: the whole file is refused naming line 7; duplicates and mixed currencies name their first line', async () => {
    const good = Array.from({ length: 5 }, (_, i) => `S-${i},${testCardNumber(i)},1234,1.00,USD,`);
    expect(await problemsOf(parseBatchFile(input([CARD_HEAD, ...good, `S-9,${testCardNumber(9)},12,1.00,USD,`])))).to.deep.equal(['line 7: pin: expected 4 to 12 digits']);
    expect(await problemsOf(parseBatchFile(input([CARD_HEAD, ...good, `S-9,${testCardNumber(2)},1234,1.00,USD,`, `S-1,${testCardNumber(10)},1234,1.00,EUR,`, `S-1,${testCardNumber(11)},1234,1.00,USD,`])))).to.deep.equal([
      'line 7: card_number: the same card number as line 4',
      'line 8: currency: EUR differs from USD (line 2); a batch has one currency',
      'line 9: serial: "S-1" is also on line 3',
    ]);
  });
});

describe('card numbers from the bulk CSPRNG digit source', () => {
  it('are distinct, Luhn-valid, carry the issuer prefix, and digits are uniform', () => {
    const gen = new CardNumberGenerator('7');
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) {
      const num = gen.next();
      expect(num).to.match(/^7\d{15}$/);
      expect(isLuhnValid(num)).to.equal(true);
      seen.add(num);
    }
    expect(seen.size).to.equal(20_000);
    const counts = new Array(10).fill(0) as number[];
    const src = new DigitSource();
    const N = 200_000;
    for (let i = 0; i < N; i++) {
      const d = src.digit();
      counts[d] = (counts[d] as number) + 1;
    }
    // Chi-square with 9 degrees of freedom: 27.9 is the 0.1% critical value.
    const chi = counts.reduce((s, c) => s + ((c - N / 10) ** 2) / (N / 10), 0);
    expect(chi).to.be.lessThan(27.9);
  });
});

describe('batch CSV errors never echo secrets (review regression)', () => {
  it('a file without its header line is refused without printing the first row', async () => {
    const row = 'B1-0001,7000000000000004,4821,10.00,USD,';
    let message = '';
    try {
      await parseBatchFile(Readable.from([`${row}\n`]));
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).to.match(/line 1/);
    expect(message).not.to.contain('7000000000000004');
    expect(message).not.to.contain('4821');
  });
});
