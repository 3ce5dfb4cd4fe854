import { expect } from 'chai';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CALL_FLOW_PROMPT_IDS, PROMPTS, PROMPT_IDS, isPromptId, promptText } from '../../../ivr/prompts/catalogue';
import { LANGUAGES, LANGUAGE_CHOICE_DIGIT } from '../../../ivr/prompts/languages';
import { MAIN_MENU_OPTIONS } from '../../../ivr/prompts/main-menu';
import { SOUNDS_DIR, promptFilePath } from '../../../ivr/prompts/sound-files';
import { parseManifest, promptHash } from '../../../scripts/sounds/manifest';
import { VOICES } from '../../../scripts/sounds/voices';
import { WAVE_FORMAT_PCM, parseWav, peakAmplitude } from './wav-header';

const BYTES_PER_SECOND = 8000 * 2;

describe('prompt catalogue', () => {
  it('has snake_case ids, each with a text in every language', () => {
    expect(PROMPT_IDS.length).to.equal(Object.keys(PROMPTS).length);
    for (const id of PROMPT_IDS) {
      expect(id).to.match(/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/);
      for (const lang of LANGUAGES) expect(promptText(lang, id).trim(), `${lang}/${id}`).to.not.equal('');
    }
  });

  it('covers the call flow of PRODUCT.md', () => {
    const required = [
      'welcome', 'language_option', 'enter_card_number', 'enter_pin', 'invalid_credentials_try_again',
      'too_many_attempts', 'card_locked', 'card_inactive', 'card_suspended', 'card_expired', 'you_have',
      'balance_zero', 'enter_destination', 'destination_not_available', 'for_this_call',
      'please_wait_connecting', 'number_busy', 'no_answer', 'network_busy', 'call_failed',
      'one_minute_left', 'credit_exhausted', 'call_cost', 'new_balance', 'another_call',
      'menu_place_call', 'menu_recharge', 'menu_balance', 'menu_register_phone', 'menu_unregister_phone',
      'menu_change_language', 'enter_voucher_number', 'enter_voucher_pin', 'recharge_done',
      'voucher_invalid', 'voucher_empty', 'currency_mismatch', 'phone_registered', 'phone_unregistered',
      'invalid_option', 'goodbye', 'technical_problem',
    ];
    expect(required.filter((id) => !isPromptId(id))).to.deep.equal([]);
    expect(CALL_FLOW_PROMPT_IDS).to.include.members(required);
  });

  it('has the vocabulary the sayer speaks with', () => {
    const vocabulary = [
      ...Array.from({ length: 30 }, (_, n) => `num_${n}`),
      'num_30', 'num_90', 'num_100', 'num_100_compound', 'num_500', 'num_500_fem', 'num_thousand', 'num_million',
      'num_millions', 'num_1_before_noun', 'num_1_fem', 'num_21_before_noun', 'num_21_fem', 'and', 'with', 'of',
      'unit_usd_major_one', 'unit_usd_minor_many', 'unit_eur_minor_one', 'unit_gbp_minor_many',
      'unit_minute_one', 'unit_minute_many', 'unit_second_many', 'unit_hour_one',
    ];
    expect(vocabulary.filter((id) => !isPromptId(id))).to.deep.equal([]);
    expect(promptText('es', 'num_21_before_noun')).to.equal('veintiún');
    expect(promptText('es', 'with')).to.equal('con');
    expect(promptText('en', 'unit_gbp_minor_many')).to.equal('pence');
  });

  it('says in each language the key that picks it', () => {
    for (const lang of LANGUAGES) expect(promptText(lang, 'language_option')).to.contain(`${LANGUAGE_CHOICE_DIGIT[lang]}.`);
    expect(new Set(Object.values(LANGUAGE_CHOICE_DIGIT)).size).to.equal(LANGUAGES.length);
  });

  it('says in each main-menu prompt the key of its option', () => {
    for (const option of MAIN_MENU_OPTIONS) {
      for (const lang of LANGUAGES) expect(promptText(lang, option.prompt)).to.match(new RegExp(`\\b${option.digit}\\.$`));
    }
    expect(new Set(MAIN_MENU_OPTIONS.map((o) => o.digit)).size).to.equal(MAIN_MENU_OPTIONS.length);
  });
});

describe('prompt sounds (sounds/<lang>/<id>.wav)', () => {
  for (const lang of LANGUAGES) {
    describe(lang, () => {
      it('has every prompt as 8 kHz, 16-bit, mono PCM WAV with audible speech of a sane length', () => {
        const problems: string[] = [];
        for (const id of PROMPT_IDS) {
          const file = promptFilePath(lang, id);
          let buf: Buffer;
          try {
            buf = readFileSync(file);
          } catch {
            problems.push(`${lang}/${id}.wav: missing`);
            continue;
          }
          try {
            const wav = parseWav(buf);
            const seconds = wav.dataBytes / BYTES_PER_SECOND;
            if (wav.audioFormat !== WAVE_FORMAT_PCM) problems.push(`${id}: format ${wav.audioFormat}, not PCM`);
            if (wav.sampleRate !== 8000) problems.push(`${id}: ${wav.sampleRate} Hz`);
            if (wav.channels !== 1) problems.push(`${id}: ${wav.channels} channels`);
            if (wav.bitsPerSample !== 16 || wav.blockAlign !== 2 || wav.byteRate !== BYTES_PER_SECOND) {
              problems.push(`${id}: ${wav.bitsPerSample} bits, block ${wav.blockAlign}, ${wav.byteRate} B/s`);
            }
            if (seconds < 0.2 || seconds > 12) problems.push(`${id}: ${seconds.toFixed(2)} s long`);
            if (peakAmplitude(buf, wav) < 2000) problems.push(`${id}: (nearly) silent`);
          } catch (err) {
            problems.push(`${lang}/${id}.wav: ${(err as Error).message}`);
          }
        }
        expect(problems).to.deep.equal([]);
      });

      it('has no file the catalogue does not own', () => {
        const expected = new Set([...PROMPT_IDS.map((id) => `${id}.wav`), 'manifest.json']);
        expect(readdirSync(join(SOUNDS_DIR, lang)).filter((f) => !expected.has(f))).to.deep.equal([]);
      });

      it('was synthesised from the current text (run scripts/sounds/generate.ts after editing the catalogue)', () => {
        const manifest = parseManifest(readFileSync(join(SOUNDS_DIR, lang, 'manifest.json'), 'utf8'));
        expect(manifest, 'manifest.json').to.not.equal(null);
        const stale = PROMPT_IDS.filter((id) => manifest?.prompts[id]?.sha256 !== promptHash(VOICES[lang], promptText(lang, id)));
        expect(stale).to.deep.equal([]);
        expect(Object.keys(manifest?.prompts ?? {}).sort()).to.deep.equal([...PROMPT_IDS].sort());
      });
    });
  }

  it('has a folder only for known languages', () => {
    const folders = readdirSync(SOUNDS_DIR).filter((f) => statSync(join(SOUNDS_DIR, f)).isDirectory());
    expect(folders.sort()).to.deep.equal([...LANGUAGES].sort());
  });
});
