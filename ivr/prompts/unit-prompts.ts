import type { PromptTexts } from './prompt-texts';

/**
 * Joining words and the nouns counted by the sayer. Currency units are
 * `unit_<iso code, lower case>_<major|minor>_<one|many>`; time units `unit_<hour|minute|second>_<one|many>`.
 * The grammatical gender of a noun (Spanish "libra", "hora" are feminine) belongs to the language,
 * so it is declared in that language's sayer module (ivr/sayer/spanish.ts).
 */
export const UNIT_PROMPTS = {
  and: { en: 'and', es: 'y' },
  with: { en: 'with', es: 'con' },
  of: { en: 'of', es: 'de' },
  minus: { en: 'minus', es: 'menos' },

  unit_usd_major_one: { en: 'dollar', es: 'dólar' },
  unit_usd_major_many: { en: 'dollars', es: 'dólares' },
  unit_usd_minor_one: { en: 'cent', es: 'centavo' },
  unit_usd_minor_many: { en: 'cents', es: 'centavos' },

  unit_eur_major_one: { en: 'euro', es: 'euro' },
  unit_eur_major_many: { en: 'euros', es: 'euros' },
  unit_eur_minor_one: { en: 'cent', es: 'céntimo' },
  unit_eur_minor_many: { en: 'cents', es: 'céntimos' },

  unit_gbp_major_one: { en: 'pound', es: 'libra' },
  unit_gbp_major_many: { en: 'pounds', es: 'libras' },
  unit_gbp_minor_one: { en: 'penny', es: 'penique' },
  unit_gbp_minor_many: { en: 'pence', es: 'peniques' },

  unit_mxn_major_one: { en: 'Mexican peso', es: 'peso' },
  unit_mxn_major_many: { en: 'Mexican pesos', es: 'pesos' },
  unit_mxn_minor_one: { en: 'centavo', es: 'centavo' },
  unit_mxn_minor_many: { en: 'centavos', es: 'centavos' },

  unit_jpy_major_one: { en: 'yen', es: 'yen' },
  unit_jpy_major_many: { en: 'yen', es: 'yenes' },

  unit_hour_one: { en: 'hour', es: 'hora' },
  unit_hour_many: { en: 'hours', es: 'horas' },
  unit_minute_one: { en: 'minute', es: 'minuto' },
  unit_minute_many: { en: 'minutes', es: 'minutos' },
  unit_second_one: { en: 'second', es: 'segundo' },
  unit_second_many: { en: 'seconds', es: 'segundos' },
} as const satisfies Record<string, PromptTexts>;
