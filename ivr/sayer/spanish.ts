import type { PromptId } from '../prompts/catalogue';
import { joinWithAnd, numId } from './number-ids';
import type { CountNoun, LanguageSayer } from './types';

/**
 * Spanish. Numbers agree with what they count: "un dólar", "veintiún minutos", "una libra",
 * "doscientas horas"; alone they are "uno", "veintiuno". 100 is "cien", 101 "ciento uno";
 * thousands are "mil", "dos mil"; millions "un millón", "dos millones", and a round number of
 * millions takes "de" before its noun ("un millón de dólares"). 10^9 is "mil millones", 10^12
 * "un billón".
 */
type Gender = 'masculine' | 'feminine';

/** Nouns (by their singular prompt) that are feminine in Spanish; all others are masculine. */
const FEMININE_NOUNS: ReadonlySet<PromptId> = new Set<PromptId>(['unit_gbp_major_one', 'unit_hour_one']);

/** 1–29; `beforeNoun` picks "un"/"veintiún" over "uno"/"veintiuno". */
function upTo29(n: number, gender: Gender, beforeNoun: boolean): PromptId {
  if (n !== 1 && n !== 21) return numId(n);
  if (gender === 'feminine') return numId(n, '_fem');
  return beforeNoun ? numId(n, '_before_noun') : numId(n);
}

function below100(n: number, gender: Gender, beforeNoun: boolean): PromptId[] {
  if (n < 30) return [upTo29(n, gender, beforeNoun)];
  const ones = n % 10;
  if (ones === 0) return [numId(n)];
  return [numId(n - ones), 'and', upTo29(ones, gender, beforeNoun)];
}

function below1000(n: number, gender: Gender, beforeNoun: boolean): PromptId[] {
  if (n === 100) return ['num_100'];
  const hundreds = Math.floor(n / 100);
  const rest = n % 100;
  const out: PromptId[] = [];
  if (hundreds === 1) out.push('num_100_compound');
  else if (hundreds > 1) out.push(numId(hundreds * 100, gender === 'feminine' ? '_fem' : ''));
  if (rest > 0) out.push(...below100(rest, gender, beforeNoun));
  return out;
}

function belowMillion(n: number, gender: Gender, beforeNoun: boolean): PromptId[] {
  const thousands = Math.floor(n / 1000);
  const rest = n % 1000;
  const out: PromptId[] = [];
  if (thousands === 1) out.push('num_thousand');
  else if (thousands > 1) out.push(...below1000(thousands, gender, true), 'num_thousand');
  if (rest > 0) out.push(...below1000(rest, gender, beforeNoun));
  return out;
}

/** A group counted in "millones" or "billones" (both masculine nouns): "un millón", "dos billones". */
function scaled(n: number, one: PromptId, many: PromptId): PromptId[] {
  return n === 1 ? ['num_1_before_noun', one] : [...belowMillion(n, 'masculine', true), many];
}

function say(n: number, gender: Gender, beforeNoun: boolean): PromptId[] {
  if (n === 0) return ['num_0'];
  const billions = Math.floor(n / 1_000_000_000_000);
  const millions = Math.floor((n % 1_000_000_000_000) / 1_000_000);
  const rest = n % 1_000_000;
  const out: PromptId[] = [];
  // "millón" is a masculine noun itself: "doscientos millones de libras", never "doscientas".
  if (billions > 0) out.push(...scaled(billions, 'num_trillion', 'num_trillions'));
  if (millions > 0) out.push(...scaled(millions, 'num_million', 'num_millions'));
  if (rest > 0) out.push(...belowMillion(rest, gender, beforeNoun));
  return out;
}

function count(n: number, noun: CountNoun): PromptId[] {
  const gender: Gender = FEMININE_NOUNS.has(noun.one) ? 'feminine' : 'masculine';
  const out = say(n, gender, true);
  if (n >= 1_000_000 && n % 1_000_000 === 0) out.push('of');
  out.push(n === 1 ? noun.one : noun.many);
  return out;
}

export const spanish: LanguageSayer = {
  cardinal: (n: number) => say(n, 'masculine', false),
  count,
  moneyJoiner: 'with',
  list: (parts) => joinWithAnd(parts, 'and'),
};
