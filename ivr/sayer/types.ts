import type { PromptId } from '../prompts/catalogue';

/** A countable noun as a pair of prompts: "dollar" / "dollars", "minuto" / "minutos". */
export interface CountNoun {
  readonly one: PromptId;
  readonly many: PromptId;
}

/**
 * The grammar of one language, as prompt ids. One module per language (english.ts, spanish.ts)
 * implements it; sayer.ts validates input, handles signs, currencies and durations, and picks
 * the module. Callers guarantee `n` is a safe integer with 0 <= n <= MAX_SAYABLE.
 */
export interface LanguageSayer {
  /** A number said on its own: 21 → "twenty one" / "veintiuno". */
  cardinal(n: number): PromptId[];
  /** A number and its noun, agreeing in number and gender: "one dollar", "veintiún dólares", "una libra". */
  count(n: number, noun: CountNoun): PromptId[];
  /** Joins the major and minor parts of an amount: "and" ("twelve dollars and fifty cents") / "con". */
  readonly moneyJoiner: PromptId;
  /** Joins a list: "a, b and c" (used for "one hour, two minutes and three seconds"). */
  list(parts: readonly (readonly PromptId[])[]): PromptId[];
}

/**
 * Largest magnitude the sayer speaks: just under 10^15 (a thousand trillion / mil billones), so any
 * amount the billing core accepts (at most 10^13 minor units) can be said, even in yen.
 */
export const MAX_SAYABLE = 999_999_999_999_999;
