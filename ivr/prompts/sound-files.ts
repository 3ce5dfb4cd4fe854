import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PromptId } from './catalogue';
import type { Language } from './languages';

/**
 * Where the synthesised prompts live in this repository: `sounds/<lang>/<id>.wav`
 * (8 kHz, 16-bit signed, mono PCM — Asterisk's native `.wav` format), plus
 * `sounds/<lang>/manifest.json` recording the text each file was made from.
 * On an Asterisk server they are copied to /var/lib/asterisk/sounds/prepaid/<lang>/
 * (see ivr/sayer/media-uri.ts and asterisk-config/README.md).
 */
export const SOUNDS_DIR: string = fileURLToPath(new URL('../../sounds/', import.meta.url));

export const PROMPT_FILE_EXTENSION = '.wav';

export function promptFileName(id: PromptId): string {
  return `${id}${PROMPT_FILE_EXTENSION}`;
}

/** Absolute path of one prompt's WAV file (for the sandbox web phone, tests and the generator). */
export function promptFilePath(lang: Language, id: PromptId, soundsDir: string = SOUNDS_DIR): string {
  return join(soundsDir, lang, promptFileName(id));
}
