import type { Language } from '../../ivr/prompts/languages';

/** The espeak-ng voice that speaks each language (`espeak-ng --voices` lists them). */
export const VOICES: Readonly<Record<Language, string>> = { en: 'en-us', es: 'es' };
