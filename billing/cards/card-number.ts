import { randomInt } from 'node:crypto';
import { BillingError } from '../shared/errors';
import { isLuhnValid, luhnCheckDigit } from './luhn';

export const CARD_NUMBER_LENGTH = 16;

/** A new 16-digit Luhn-valid card number from the CSPRNG, starting with `issuerPrefix` (0–8 digits). */
export function generateCardNumber(issuerPrefix: string): string {
  if (!/^\d{0,8}$/.test(issuerPrefix)) throw new BillingError('validation_error', 'issuer prefix must be 0 to 8 digits');
  let body = issuerPrefix;
  while (body.length < CARD_NUMBER_LENGTH - 1) body += String(randomInt(10));
  return body + String(luhnCheckDigit(body));
}

/** Strips spaces and dashes a person may type; returns undefined when it is not a plausible card number. */
export function normalizeCardNumber(input: string): string | undefined {
  const digits = input.replace(/[\s-]/g, '');
  if (digits.length !== CARD_NUMBER_LENGTH || !isLuhnValid(digits)) return undefined;
  return digits;
}

export const last4 = (cardNumber: string): string => cardNumber.slice(-4);

/** "•••• 1234" — the only form in which a card number is ever shown after issue. */
export const maskCardNumber = (last4Digits: string): string => `•••• ${last4Digits}`;
