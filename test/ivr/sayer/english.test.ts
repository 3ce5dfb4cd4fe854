import { expect } from 'chai';
import { sayDigits, sayDuration, sayHours, sayMinutes, sayMoney, sayNumber, saySeconds } from '../../../ivr/sayer/sayer';
import { spoken } from './spoken';

describe('sayer: English', () => {
  const numbers: [number, string][] = [
    [0, 'zero'],
    [1, 'one'],
    [7, 'seven'],
    [13, 'thirteen'],
    [20, 'twenty'],
    [21, 'twenty one'],
    [45, 'forty five'],
    [99, 'ninety nine'],
    [100, 'one hundred'],
    [101, 'one hundred one'],
    [110, 'one hundred ten'],
    [999, 'nine hundred ninety nine'],
    [1000, 'one thousand'],
    [1001, 'one thousand one'],
    [2500, 'two thousand five hundred'],
    [21021, 'twenty one thousand twenty one'],
    [100000, 'one hundred thousand'],
    [1_000_000, 'one million'],
    [1_234_567, 'one million two hundred thirty four thousand five hundred sixty seven'],
    [2_000_001, 'two million one'],
    [1_000_000_000, 'one billion'],
    [2_000_000_000_021, 'two trillion twenty one'],
    [999_999_999_999_999, 'nine hundred ninety nine trillion nine hundred ninety nine billion nine hundred ninety nine million nine hundred ninety nine thousand nine hundred ninety nine'],
    [-5, 'minus five'],
  ];
  for (const [n, words] of numbers) {
    it(`${n} → "${words}"`, () => expect(spoken('en', sayNumber('en', n))).to.equal(words));
  }

  it('says 1250 USD with the documented ids', () => {
    expect(sayMoney('en', { amount_minor: 1250, currency: 'USD' })).to.deep.equal([
      'num_12', 'unit_usd_major_many', 'and', 'num_50', 'unit_usd_minor_many',
    ]);
  });

  const money: [number, string, string][] = [
    [1250, 'USD', 'twelve dollars and fifty cents'],
    [100, 'USD', 'one dollar'],
    [1, 'USD', 'one cent'],
    [0, 'USD', 'zero dollars'],
    [101, 'USD', 'one dollar and one cent'],
    [2199, 'USD', 'twenty one dollars and ninety nine cents'],
    [100_000_000, 'USD', 'one million dollars'],
    [-250, 'USD', 'minus two dollars and fifty cents'],
    [1000, 'EUR', 'ten euros'],
    [101, 'EUR', 'one euro and one cent'],
    [150, 'GBP', 'one pound and fifty pence'],
    [1, 'GBP', 'one penny'],
    [1250, 'JPY', 'one thousand two hundred fifty yen'],
    [1, 'JPY', 'one yen'],
    [10_000_000_000_000, 'JPY', 'ten trillion yen'],
    [550, 'MXN', 'five Mexican pesos and fifty centavos'],
  ];
  for (const [amount_minor, currency, words] of money) {
    it(`${amount_minor} ${currency} → "${words}"`, () => {
      expect(spoken('en', sayMoney('en', { amount_minor, currency }))).to.equal(words);
    });
  }

  const durations: [string, () => ReturnType<typeof sayMinutes>, string][] = [
    ['1 minute', () => sayMinutes('en', 1), 'one minute'],
    ['2 minutes', () => sayMinutes('en', 2), 'two minutes'],
    ['0 minutes', () => sayMinutes('en', 0), 'zero minutes'],
    ['21 minutes', () => sayMinutes('en', 21), 'twenty one minutes'],
    ['1 second', () => saySeconds('en', 1), 'one second'],
    ['2 hours', () => sayHours('en', 2), 'two hours'],
    ['0 s', () => sayDuration('en', 0), 'zero seconds'],
    ['59 s', () => sayDuration('en', 59), 'fifty nine seconds'],
    ['60 s', () => sayDuration('en', 60), 'one minute'],
    ['61 s', () => sayDuration('en', 61), 'one minute and one second'],
    ['3600 s', () => sayDuration('en', 3600), 'one hour'],
    ['3725 s', () => sayDuration('en', 3725), 'one hour two minutes and five seconds'],
    ['digits', () => sayDigits('5550123'), 'five five five zero one two three'],
  ];
  for (const [name, say, words] of durations) {
    it(`${name} → "${words}"`, () => expect(spoken('en', say())).to.equal(words));
  }
});
