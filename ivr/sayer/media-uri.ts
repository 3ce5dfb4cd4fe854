import type { PromptId } from '../prompts/catalogue';
import type { Language } from '../prompts/languages';

/**
 * How Asterisk finds a prompt. The WAVs of sounds/<lang>/ are installed on the Asterisk server
 * under /var/lib/asterisk/sounds/prepaid/<lang>/ (the `sounds` folder of astdatadir), so the
 * sound name is `prepaid/<lang>/<id>` (no extension: Asterisk picks the .wav file itself) and
 * the ARI media URI `sound:prepaid/<lang>/<id>`. The language is in the path, so the channel's
 * CHANNEL(language) setting plays no part. See asterisk-config/README.md.
 */
export const ASTERISK_SOUNDS_FOLDER = 'prepaid';

/** `prepaid/en/welcome`: for dialplan `Playback()`. */
export function promptSoundName(lang: Language, id: PromptId): string {
  return `${ASTERISK_SOUNDS_FOLDER}/${lang}/${id}`;
}

/** `sound:prepaid/en/welcome`: for ARI `POST /channels/{id}/play?media=…`. */
export function promptMediaUri(lang: Language, id: PromptId): string {
  return `sound:${promptSoundName(lang, id)}`;
}

/** Media URIs for a sequence of prompts; ARI plays several as one comma-separated `media` value. */
export function promptMediaUris(lang: Language, ids: readonly PromptId[]): string[] {
  return ids.map((id) => promptMediaUri(lang, id));
}
