import { expect } from 'chai';
import { generateCardNumber, normalizeCardNumber } from '../../billing/cards/card-number';
import { isLuhnValid } from '../../billing/cards/luhn';
import { formatMinor, parseDecimal } from '../../billing/money/money';

describe('money', () => {
  const good: Array<[string, string, number]> = [
    ['10.00', 'USD', 1000], ['10', 'USD', 1000], ['10.5', 'USD', 1050], ['0.01', 'USD', 1], ['-1.00', 'USD', -100],
    ['500', 'JPY', 500], ['1.234', 'BHD', 1234], ['0.1', 'USD', 10], ['123456789.99', 'USD', 12345678999],
  ];
  for (const [text, cur, minor] of good) it(`parses "${text}" ${cur} exactly → ${minor}`, () => expect(parseDecimal(text, cur)).to.equal(minor));

  const bad: Array<[string, string]> = [['10.001', 'USD'], ['1.5', 'JPY'], ['1e3', 'USD'], ['1,000.00', 'USD'], ['', 'USD'], ['abc', 'USD'], ['10.00', 'XXY'], ['0x10', 'USD'], ['.5', 'USD']];
  for (const [text, cur] of bad) it(`rejects "${text}" ${cur} with validation_error`, () => expect(() => parseDecimal(text, cur)).to.throw().with.property('code', 'validation_error'));

  it('formats minor units back exactly', () => {
    expect([formatMinor(1250, 'USD'), formatMinor(-5, 'USD'), formatMinor(500, 'JPY'), formatMinor(0, 'USD'), formatMinor(1234, 'BHD')]).to.deep.equal(['12.50', '-0.05', '500', '0.00', '1.234']);
  });
  it('0.1 + 0.2 style sums stay exact in minor units', () => {
    expect(parseDecimal('0.10', 'USD') + parseDecimal('0.20', 'USD')).to.equal(parseDecimal('0.30', 'USD'));
  });
});

describe('card numbers', () => {
  it('are 16 digits, Luhn-valid, with the issuer prefix, and distinct', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const n = generateCardNumber('789');
      expect(n).to.match(/^789\d{13}$/);
      expect(isLuhnValid(n)).to.equal(true);
      seen.add(n);
    }
    expect(seen.size).to.equal(2000);
  });
  it('normalises what a person types and rejects a bad check digit', () => {
    const n = generateCardNumber('7');
    expect(normalizeCardNumber(`${n.slice(0, 4)} ${n.slice(4, 8)}-${n.slice(8)}`)).to.equal(n);
    const wrong = n.slice(0, 15) + String((Number(n[15]) + 1) % 10);
    expect(normalizeCardNumber(wrong)).to.equal(undefined);
  });
});
