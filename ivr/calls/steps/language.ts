import type { Language } from '../../prompts/languages';
import { LANGUAGE_CHOICE_DIGIT } from '../../prompts/languages';
import { promptMediaUri } from '../../sayer/media-uri';
import type { CallSession } from '../call-session';
import type { CallState } from '../call-state';

const TRIES = 2;

/** "For English, press 1. Para español, oprima 2.": each option in its own language. No answer keeps the current one. */
export async function chooseLanguage(s: CallSession): Promise<CallState> {
  const langs = s.ctx.options.languages;
  const media = langs.map((l) => promptMediaUri(l, 'language_option'));
  const o = s.ctx.options;
  for (let i = 0; i < TRIES; i++) {
    const r = await s.io.read(media, { max: 1, firstDigitTimeout_ms: o.firstDigitTimeout_ms, interDigitTimeout_ms: o.interDigitTimeout_ms });
    if (r.outcome === 'timeout' && r.digits === '') break;
    const chosen = langs.find((l: Language) => LANGUAGE_CHOICE_DIGIT[l] === r.digits);
    if (chosen) {
      s.lang = chosen;
      break;
    }
    await s.say('invalid_option');
  }
  if (s.card) {
    await s.say('language_changed');
    return 'menu';
  }
  return 'logging_in';
}
