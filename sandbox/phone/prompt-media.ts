import fs from 'node:fs';
import type { PromptId } from '../../ivr/prompts/catalogue';
import { isPromptId, promptText } from '../../ivr/prompts/catalogue';
import type { Language } from '../../ivr/prompts/languages';
import { isLanguage } from '../../ivr/prompts/languages';
import { promptFilePath } from '../../ivr/prompts/sound-files';
import { ASTERISK_SOUNDS_FOLDER } from '../../ivr/sayer/media-uri';

export interface PromptRef {
  lang: Language;
  id: PromptId;
}

const SOUND_URI = new RegExp(`^sound:${ASTERISK_SOUNDS_FOLDER}/([a-z]{2,3})/([a-z0-9_]{1,64})$`);

/** `sound:prepaid/en/welcome` → {lang, id} when both are in the catalogue; anything else → undefined. */
export function promptOfMediaUri(mediaUri: string): PromptRef | undefined {
  const m = SOUND_URI.exec(mediaUri);
  if (!m) return undefined;
  const [, lang = '', id = ''] = m;
  return isLanguage(lang) && isPromptId(id) ? { lang, id } : undefined;
}

/** Validated lookup for the sound route: only catalogue languages and ids, so no path can be built from input. */
export function promptRef(lang: string, id: string): PromptRef | undefined {
  return isLanguage(lang) && isPromptId(id) ? { lang, id } : undefined;
}

export const promptUrl = (p: PromptRef): string => `/phone/sounds/${p.lang}/${p.id}.wav`;
export const promptTranscript = (p: PromptRef): string => promptText(p.lang, p.id);

const durations = new Map<string, number | null>();

/** Length of a PCM WAV file in ms from its header (fmt byte rate and data size); null when unreadable. */
export function wavDuration_ms(file: string): number | null {
  const cached = durations.get(file);
  if (cached !== undefined) return cached;
  let result: number | null = null;
  try {
    const buf = fs.readFileSync(file);
    if (buf.toString('ascii', 0, 4) === 'RIFF' && buf.toString('ascii', 8, 12) === 'WAVE') {
      let byteRate = 0;
      for (let off = 12; off + 8 <= buf.length;) {
        const id = buf.toString('ascii', off, off + 4);
        const size = buf.readUInt32LE(off + 4);
        if (id === 'fmt ' && size >= 16) byteRate = buf.readUInt32LE(off + 16);
        if (id === 'data' && byteRate > 0) {
          result = Math.round((Math.min(size, buf.length - off - 8) * 1000) / byteRate);
          break;
        }
        off += 8 + size + (size % 2);
      }
    }
  } catch {
    result = null;
  }
  durations.set(file, result);
  return result;
}

export function promptDuration_ms(p: PromptRef): number | null {
  return wavDuration_ms(promptFilePath(p.lang, p.id));
}

/**
 * A `mediaDuration` for the AriSimulator that makes the sandbox's prompts last as long as their WAV files, so
 * the IVR's timing (barge-in, digit timeouts after a prompt) matches what the browser plays. Unknown sounds are
 * 'missing' (PlaybackFinished "failed", as Asterisk does); other schemes (tone:, digits:…) take 1 s.
 */
export function sandboxMediaDuration(mediaUri: string): number | 'missing' {
  if (!mediaUri.startsWith('sound:')) return 1000;
  const p = promptOfMediaUri(mediaUri);
  if (!p) return 'missing';
  return promptDuration_ms(p) ?? 'missing';
}
