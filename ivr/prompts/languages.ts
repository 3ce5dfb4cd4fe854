/**
 * The languages the IVR speaks. Adding one: append it here, then let `npx tsc --noEmit` list every
 * prompt text, espeak voice and sayer module it still needs (all are `Record<Language, …>`).
 */
export const LANGUAGES = ['en', 'es'] as const;

export type Language = (typeof LANGUAGES)[number];

export function isLanguage(value: string): value is Language {
  return (LANGUAGES as readonly string[]).includes(value);
}

/**
 * The key a caller presses to pick a language in the language-choice menu. The `language_option`
 * prompt of each language says its own key ("For English, press 1." / "Para español, oprima 2."),
 * so the IVR plays `language_option` once per configured language, each in its own voice.
 */
export const LANGUAGE_CHOICE_DIGIT: Readonly<Record<Language, string>> = { en: '1', es: '2' };
