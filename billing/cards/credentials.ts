import { normalizeCardNumber } from './card-number';
import type { SecretHasher } from './secrets';

/** A PIN any check compares: 1–12 digits (issued PINs have 4–12; a shorter one is simply wrong). */
const PIN_SHAPE = /^\d{1,12}$/;

/**
 * The hash a card is looked up by, when the number and PIN typed are well formed (the number
 * normalized and Luhn-valid, the PIN 1–12 digits); undefined for credentials no card can match.
 * Every check of a card number and PIN starts here, the general path and each short path alike.
 */
export function numberHashOf(hasher: Pick<SecretHasher, 'cardNumber'>, cardNumber: string, pin: string): string | undefined {
  const normalized = normalizeCardNumber(cardNumber);
  return normalized && PIN_SHAPE.test(pin) ? hasher.cardNumber(normalized) : undefined;
}
