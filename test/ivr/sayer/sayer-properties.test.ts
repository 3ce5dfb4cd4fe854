import { expect } from 'chai';
import { isPromptId } from '../../../ivr/prompts/catalogue';
import type { PromptId } from '../../../ivr/prompts/catalogue';
import { LANGUAGES } from '../../../ivr/prompts/languages';
import { promptMediaUri, promptMediaUris, promptSoundName } from '../../../ivr/sayer/media-uri';
import { SPOKEN_CURRENCIES, SPOKEN_CURRENCY_CODES, isSpokenCurrency } from '../../../ivr/sayer/nouns';
import { sayDigits, sayDuration, sayMinutes, sayMoney, sayNumber, saySeconds } from '../../../ivr/sayer/sayer';
import { MAX_SAYABLE } from '../../../ivr/sayer/types';

/** Deterministic PRNG (mulberry32) so a failure names a reproducible input. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function sample(seed: number, count: number, max: number): number[] {
  const next = random(seed);
  const edges = [0, 1, 2, 9, 10, 11, 19, 20, 21, 29, 30, 31, 99, 100, 101, 999, 1000, 1001, 21000, 99999, 100000];
  return [...edges.filter((n) => n <= max), ...Array.from({ length: count }, () => Math.floor(next() * (max + 1)))];
}

function expectKnownIds(ids: readonly string[], what: string): void {
  expect(ids.length, what).to.be.greaterThan(0);
  const unknown = ids.filter((id) => !isPromptId(id));
  expect(unknown, what).to.deep.equal([]);
}

describe('sayer: properties', () => {
  for (const lang of LANGUAGES) {
    it(`${lang}: every id said for numbers, money and durations in 0..100000 is in the catalogue`, () => {
      for (const n of sample(lang.length * 7919, 3000, 100_000)) {
        expectKnownIds(sayNumber(lang, n), `${lang} number ${n}`);
        expectKnownIds(sayMinutes(lang, n), `${lang} minutes ${n}`);
        expectKnownIds(saySeconds(lang, n), `${lang} seconds ${n}`);
        expectKnownIds(sayDuration(lang, n), `${lang} duration ${n}`);
        for (const currency of SPOKEN_CURRENCY_CODES) expectKnownIds(sayMoney(lang, { amount_minor: n, currency }), `${lang} ${n} ${currency}`);
      }
    });

    it(`${lang}: large numbers up to MAX_SAYABLE use only catalogue ids`, () => {
      for (const n of sample(42, 2000, MAX_SAYABLE)) expectKnownIds(sayNumber(lang, n), `${lang} ${n}`);
      expectKnownIds(sayNumber(lang, MAX_SAYABLE), 'max');
      expect(sayNumber(lang, 7)).to.have.length(1);
    });

    it(`${lang}: negative numbers are "minus" and the positive number`, () => {
      for (const n of sample(7, 200, 100_000).filter((x) => x > 0)) {
        expect(sayNumber(lang, -n)).to.deep.equal(['minus', ...sayNumber(lang, n)]);
      }
    });

    it(`${lang}: rejects what it cannot say`, () => {
      for (const bad of [1.5, Number.NaN, Infinity, MAX_SAYABLE + 1, -(MAX_SAYABLE + 1)]) {
        expect(() => sayNumber(lang, bad), String(bad)).to.throw(RangeError);
      }
      expect(() => sayMinutes(lang, -1)).to.throw(RangeError);
      expect(() => sayDuration(lang, 2.5)).to.throw(RangeError);
      expect(() => sayMoney(lang, { amount_minor: 1.5, currency: 'USD' })).to.throw(RangeError);
      expect(() => sayMoney(lang, { amount_minor: 100, currency: 'XTS' })).to.throw(RangeError, /XTS/);
      expect(() => sayMoney(lang, { amount_minor: 100, currency: 'toString' })).to.throw(RangeError);
      expect(() => sayMoney(lang, { amount_minor: Number.MAX_SAFE_INTEGER, currency: 'JPY' })).to.throw(RangeError);
    });
  }

  it('never says a minor unit for a currency without one, and splits others by their exponent', () => {
    const minorIds = (ids: readonly PromptId[]) => ids.filter((id) => /_minor_/.test(id));
    expect(minorIds(sayMoney('en', { amount_minor: 1234, currency: 'JPY' }))).to.deep.equal([]);
    expect(minorIds(sayMoney('en', { amount_minor: 1234, currency: 'EUR' }))).to.deep.equal(['unit_eur_minor_many']);
  });

  it('knows each spoken currency\'s ISO 4217 exponent (as ICU does) and has both unit nouns', () => {
    for (const code of SPOKEN_CURRENCY_CODES) {
      const expected = new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions().maximumFractionDigits;
      const currency = SPOKEN_CURRENCIES[code];
      expect(currency.exponent, code).to.equal(expected);
      expect(currency.minor === null, code).to.equal(currency.exponent === 0);
      expect(isSpokenCurrency(code)).to.equal(true);
    }
    expect(isSpokenCurrency('usd')).to.equal(false);
  });

  it('reads digits one by one and refuses anything else', () => {
    expect(sayDigits('102')).to.deep.equal(['num_1', 'num_0', 'num_2']);
    expect(sayDigits('')).to.deep.equal([]);
    expect(() => sayDigits('12#')).to.throw(RangeError);
  });

  it('turns prompt ids into Asterisk media URIs under sounds/prepaid/<lang>/', () => {
    expect(promptMediaUri('en', 'welcome')).to.equal('sound:prepaid/en/welcome');
    expect(promptSoundName('es', 'num_21_before_noun')).to.equal('prepaid/es/num_21_before_noun');
    expect(promptMediaUris('es', sayMinutes('es', 21))).to.deep.equal([
      'sound:prepaid/es/num_21_before_noun',
      'sound:prepaid/es/unit_minute_many',
    ]);
  });
});
