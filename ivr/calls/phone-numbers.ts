import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { CountryCode } from 'libphonenumber-js';

/**
 * A destination dialled on the keypad, as E.164 digits (no '+'): an international prefix (00 or
 * 011) starts a full international number; anything else is a national number of
 * `defaultCountry`. Undefined when it cannot be a phone number.
 */
export function normaliseDestination(keyed: string, defaultCountry: CountryCode): string | undefined {
  if (!/^\d{2,20}$/.test(keyed)) return undefined;
  const international = /^(011|00)(\d+)$/.exec(keyed);
  const parsed = international
    ? parsePhoneNumberFromString(`+${international[2]}`)
    : parsePhoneNumberFromString(keyed, defaultCountry);
  if (!parsed || !parsed.isPossible()) return undefined;
  return parsed.number.slice(1);
}

/** The caller's number in E.164 (`+15551234567`) when it can be read as one, else its digits; undefined when withheld. */
export function normaliseCaller(raw: string, defaultCountry: CountryCode): string | undefined {
  const trimmed = raw.trim();
  if (!/\d/.test(trimmed) || /anonymous|unknown|restricted/i.test(trimmed)) return undefined;
  const parsed = parsePhoneNumberFromString(trimmed, defaultCountry);
  if (parsed?.isPossible()) return parsed.number;
  const digits = trimmed.replace(/\D/g, '');
  return digits.length > 0 && digits.length <= 20 ? digits : undefined;
}
