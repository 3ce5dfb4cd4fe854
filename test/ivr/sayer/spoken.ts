import { promptText } from '../../../ivr/prompts/catalogue';
import type { PromptId } from '../../../ivr/prompts/catalogue';
import type { Language } from '../../../ivr/prompts/languages';

/** What a caller hears: the catalogue texts of the ids, joined by spaces. */
export function spoken(lang: Language, ids: readonly PromptId[]): string {
  return ids.map((id) => promptText(lang, id)).join(' ');
}
