import { CALL_FLOW_PROMPTS } from './call-flow-prompts';
import type { Language } from './languages';
import { NUMBER_PROMPTS } from './number-prompts';
import type { PromptTexts } from './prompt-texts';
import { UNIT_PROMPTS } from './unit-prompts';

/**
 * The prompt catalogue: prompt id → text per language. It is the source of truth for the audio:
 * `npx tsx scripts/sounds/generate.ts` synthesises `sounds/<lang>/<id>.wav` from it, and
 * test/ivr/prompts/catalogue.test.ts fails when a WAV is missing, stray or older than its text.
 *
 * Ids are stable snake_case file names. Never rename one that is in use; add a new id instead.
 */
const PARTS = [CALL_FLOW_PROMPTS, NUMBER_PROMPTS, UNIT_PROMPTS] as const;

export const PROMPTS = { ...CALL_FLOW_PROMPTS, ...NUMBER_PROMPTS, ...UNIT_PROMPTS } as const;

export type PromptId = keyof typeof PROMPTS;
export type CallFlowPromptId = keyof typeof CALL_FLOW_PROMPTS;

export const PROMPT_IDS: readonly PromptId[] = Object.freeze(Object.keys(PROMPTS) as PromptId[]);
export const CALL_FLOW_PROMPT_IDS: readonly CallFlowPromptId[] = Object.freeze(
  Object.keys(CALL_FLOW_PROMPTS) as CallFlowPromptId[],
);

const PROMPT_ID_PATTERN = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;
const partsSize = PARTS.reduce((sum, part) => sum + Object.keys(part).length, 0);
if (partsSize !== PROMPT_IDS.length) throw new Error('prompt catalogue: the same id is defined in two parts');
for (const id of PROMPT_IDS) {
  if (!PROMPT_ID_PATTERN.test(id)) throw new Error(`prompt catalogue: id "${id}" is not snake_case`);
}

const ID_SET: ReadonlySet<string> = new Set(PROMPT_IDS);

export function isPromptId(value: string): value is PromptId {
  return ID_SET.has(value);
}

export function promptText(lang: Language, id: PromptId): string {
  const texts: PromptTexts = PROMPTS[id];
  return texts[lang];
}
