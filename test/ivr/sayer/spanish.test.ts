import { expect } from 'chai';
import { sayDuration, sayHours, sayMinutes, sayMoney, sayNumber } from '../../../ivr/sayer/sayer';
import { spoken } from './spoken';

describe('sayer: Spanish', () => {
  const numbers: [number, string][] = [
    [0, 'cero'],
    [1, 'uno'],
    [15, 'quince'],
    [16, 'dieciséis'],
    [21, 'veintiuno'],
    [22, 'veintidós'],
    [30, 'treinta'],
    [31, 'treinta y uno'],
    [99, 'noventa y nueve'],
    [100, 'cien'],
    [101, 'ciento uno'],
    [121, 'ciento veintiuno'],
    [200, 'doscientos'],
    [500, 'quinientos'],
    [555, 'quinientos cincuenta y cinco'],
    [700, 'setecientos'],
    [900, 'novecientos'],
    [1000, 'mil'],
    [1001, 'mil uno'],
    [2000, 'dos mil'],
    [21000, 'veintiún mil'],
    [31000, 'treinta y un mil'],
    [100000, 'cien mil'],
    [101000, 'ciento un mil'],
    [1_000_000, 'un millón'],
    [2_000_000, 'dos millones'],
    [21_000_000, 'veintiún millones'],
    [1_234_567, 'un millón doscientos treinta y cuatro mil quinientos sesenta y siete'],
    [1_000_000_000, 'mil millones'],
    [2_500_000_000, 'dos mil quinientos millones'],
    [1_000_000_000_000, 'un billón'],
    [21_000_001_000_000, 'veintiún billones un millón'],
    [-1, 'menos uno'],
  ];
  for (const [n, words] of numbers) {
    it(`${n} → "${words}"`, () => expect(spoken('es', sayNumber('es', n))).to.equal(words));
  }

  const money: [number, string, string][] = [
    [100, 'USD', 'un dólar'],
    [2100, 'USD', 'veintiún dólares'],
    [1250, 'USD', 'doce dólares con cincuenta centavos'],
    [1, 'USD', 'un centavo'],
    [0, 'USD', 'cero dólares'],
    [3101, 'USD', 'treinta y un dólares con un centavo'],
    [10100, 'USD', 'ciento un dólares'],
    [100_000_000, 'USD', 'un millón de dólares'],
    [200_000_000, 'USD', 'dos millones de dólares'],
    [100_050_000, 'USD', 'un millón quinientos dólares'],
    [150, 'EUR', 'un euro con cincuenta céntimos'],
    [100, 'GBP', 'una libra'],
    [2100, 'GBP', 'veintiuna libras'],
    [20000, 'GBP', 'doscientas libras'],
    [50_000_000, 'GBP', 'quinientas mil libras'],
    [20_000_000_000, 'GBP', 'doscientos millones de libras'],
    [199, 'GBP', 'una libra con noventa y nueve peniques'],
    [1000, 'JPY', 'mil yenes'],
    [10_000_000_000_000, 'JPY', 'diez billones de yenes'],
    [100_000_000_000_000, 'USD', 'un billón de dólares'],
    [5000, 'MXN', 'cincuenta pesos'],
  ];
  for (const [amount_minor, currency, words] of money) {
    it(`${amount_minor} ${currency} → "${words}"`, () => {
      expect(spoken('es', sayMoney('es', { amount_minor, currency }))).to.equal(words);
    });
  }

  const durations: [string, () => ReturnType<typeof sayMinutes>, string][] = [
    ['1 minute', () => sayMinutes('es', 1), 'un minuto'],
    ['2 minutes', () => sayMinutes('es', 2), 'dos minutos'],
    ['21 minutes', () => sayMinutes('es', 21), 'veintiún minutos'],
    ['0 minutes', () => sayMinutes('es', 0), 'cero minutos'],
    ['1 hour', () => sayHours('es', 1), 'una hora'],
    ['21 hours', () => sayHours('es', 21), 'veintiuna horas'],
    ['3725 s', () => sayDuration('es', 3725), 'una hora dos minutos y cinco segundos'],
    ['61 s', () => sayDuration('es', 61), 'un minuto y un segundo'],
  ];
  for (const [name, say, words] of durations) {
    it(`${name} → "${words}"`, () => expect(spoken('es', say())).to.equal(words));
  }
});
