import type { Language } from './languages';

/** The text of one prompt in every language; the WAV files are synthesised from it. */
export type PromptTexts = Readonly<Record<Language, string>>;
