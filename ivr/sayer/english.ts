import type { PromptId } from '../prompts/catalogue';
import { joinWithAnd, numId } from './number-ids';
import type { CountNoun, LanguageSayer } from './types';

/**
 * English (US style, no "and" inside numbers): 1,234,567 → "one million two hundred thirty four
 * thousand five hundred sixty seven". 21–29 are single prompts ("twenty one").
 */
const SCALES: readonly (readonly [number, PromptId])[] = [
  [1_000_000_000_000, 'num_trillion'],
  [1_000_000_000, 'num_billion'],
  [1_000_000, 'num_million'],
  [1_000, 'num_thousand'],
];

function below100(n: number): PromptId[] {
  if (n < 30) return [numId(n)];
  const ones = n % 10;
  return ones === 0 ? [numId(n)] : [numId(n - ones), numId(ones)];
}

function below1000(n: number): PromptId[] {
  const hundreds = Math.floor(n / 100);
  const rest = n % 100;
  const out: PromptId[] = hundreds > 0 ? [numId(hundreds * 100)] : [];
  if (rest > 0) out.push(...below100(rest));
  return out;
}

function cardinal(n: number): PromptId[] {
  if (n === 0) return ['num_0'];
  const out: PromptId[] = [];
  let rest = n;
  for (const [scale, word] of SCALES) {
    const group = Math.floor(rest / scale);
    if (group > 0) out.push(...below1000(group), word);
    rest %= scale;
  }
  if (rest > 0) out.push(...below1000(rest));
  return out;
}

export const english: LanguageSayer = {
  cardinal,
  count: (n: number, noun: CountNoun) => [...cardinal(n), n === 1 ? noun.one : noun.many],
  moneyJoiner: 'and',
  list: (parts) => joinWithAnd(parts, 'and'),
};
