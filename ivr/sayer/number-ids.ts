import { isPromptId } from '../prompts/catalogue';
import type { PromptId } from '../prompts/catalogue';

/** The prompt `num_<n><suffix>` ("num_21", "num_200_fem"); throws if the catalogue lacks it. */
export function numId(n: number, suffix = ''): PromptId {
  const id = `num_${n}${suffix}`;
  if (!isPromptId(id)) throw new Error(`sayer: no prompt "${id}" in the catalogue`);
  return id;
}

/** "a, b and c": every part in order, with `and` before the last one. */
export function joinWithAnd(parts: readonly (readonly PromptId[])[], and: PromptId): PromptId[] {
  const out: PromptId[] = [];
  parts.forEach((part, i) => {
    if (i > 0 && i === parts.length - 1) out.push(and);
    out.push(...part);
  });
  return out;
}
