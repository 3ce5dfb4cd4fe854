import type { PromptId } from '../prompts/catalogue';
import type { Language } from '../prompts/languages';
import { english } from './english';
import { HOUR, MINUTE, SECOND, SPOKEN_CURRENCIES, isSpokenCurrency } from './nouns';
import type { SpokenCurrency } from './nouns';
import { numId } from './number-ids';
import { spanish } from './spanish';
import type { CountNoun, LanguageSayer } from './types';
import { MAX_SAYABLE } from './types';

/**
 * The sayer: numbers, money and durations as the prompt ids to play, in order. Pure functions.
 * Play each id as `promptMediaUri(lang, id)` (media-uri.ts). Invalid input (a fraction, NaN, a
 * magnitude above MAX_SAYABLE, a negative duration, a currency without spoken units) throws a
 * RangeError: check `isSpokenCurrency` when configuring, not in the middle of a call.
 *
 * Adding a language: write a LanguageSayer module (see english.ts) and register it here.
 */
const SAYERS: Readonly<Record<Language, LanguageSayer>> = { en: english, es: spanish };

export interface SpokenMoney {
  readonly amount_minor: number;
  /** ISO 4217 code, e.g. "USD"; must be one of SPOKEN_CURRENCY_CODES. */
  readonly currency: string;
}

function assertSayable(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || Math.abs(n) > MAX_SAYABLE) {
    throw new RangeError(`sayer: ${what} must be an integer of magnitude at most ${MAX_SAYABLE}, got ${n}`);
  }
}

function assertCount(n: number, what: string): void {
  assertSayable(n, what);
  if (n < 0) throw new RangeError(`sayer: ${what} must not be negative, got ${n}`);
}

function signed(n: number, sayAbs: (abs: number) => PromptId[]): PromptId[] {
  return n < 0 ? ['minus', ...sayAbs(-n)] : sayAbs(n);
}

/** 21 → "twenty one" / "veintiuno"; -5 → "minus five". */
export function sayNumber(lang: Language, n: number): PromptId[] {
  assertSayable(n, 'number');
  return signed(n, (abs) => SAYERS[lang].cardinal(abs));
}

/** {amount_minor: 1250, currency: 'USD'} → "twelve dollars and fifty cents" / "doce dólares con cincuenta centavos". */
export function sayMoney(lang: Language, money: SpokenMoney): PromptId[] {
  if (!isSpokenCurrency(money.currency)) {
    throw new RangeError(`sayer: currency "${money.currency}" has no spoken units`);
  }
  const currency: SpokenCurrency = SPOKEN_CURRENCIES[money.currency];
  if (!Number.isSafeInteger(money.amount_minor)) {
    throw new RangeError(`sayer: amount_minor must be a safe integer, got ${money.amount_minor}`);
  }
  const sayer = SAYERS[lang];
  const factor = 10 ** currency.exponent;
  return signed(money.amount_minor, (abs) => {
    const major = Math.floor(abs / factor);
    const minor = abs % factor;
    assertSayable(major, 'amount');
    if (minor === 0 || currency.minor === null) return sayer.count(major, currency.major);
    if (major === 0) return sayer.count(minor, currency.minor);
    return [...sayer.count(major, currency.major), sayer.moneyJoiner, ...sayer.count(minor, currency.minor)];
  });
}

function sayCount(lang: Language, n: number, noun: CountNoun, what: string): PromptId[] {
  assertCount(n, what);
  return SAYERS[lang].count(n, noun);
}

/** 1 → "one minute", 21 → "veintiún minutos", 0 → "zero minutes". */
export function sayMinutes(lang: Language, minutes: number): PromptId[] {
  return sayCount(lang, minutes, MINUTE, 'minutes');
}

export function saySeconds(lang: Language, seconds: number): PromptId[] {
  return sayCount(lang, seconds, SECOND, 'seconds');
}

export function sayHours(lang: Language, hours: number): PromptId[] {
  return sayCount(lang, hours, HOUR, 'hours');
}

/** 3725 s → "one hour, two minutes and five seconds"; zero parts are left out; 0 → "zero seconds". */
export function sayDuration(lang: Language, duration_s: number): PromptId[] {
  assertCount(duration_s, 'duration_s');
  const sayer = SAYERS[lang];
  const parts: [number, CountNoun][] = [
    [Math.floor(duration_s / 3600), HOUR],
    [Math.floor((duration_s % 3600) / 60), MINUTE],
    [duration_s % 60, SECOND],
  ];
  const said = parts.filter(([n]) => n > 0).map(([n, noun]) => sayer.count(n, noun));
  return said.length === 0 ? sayer.count(0, SECOND) : sayer.list(said);
}

/** "5551234" → five five five one two three four (digit by digit, for reading numbers back). */
export function sayDigits(digits: string): PromptId[] {
  if (!/^[0-9]*$/.test(digits)) throw new RangeError('sayer: sayDigits takes the digits 0-9 only');
  return [...digits].map((d) => numId(Number(d)));
}
