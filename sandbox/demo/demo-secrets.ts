import { createHmac } from 'node:crypto';
import { CARD_NUMBER_LENGTH } from '../../billing/cards/card-number';
import { luhnCheckDigit } from '../../billing/cards/luhn';

/**
 * The demo's secrets are DERIVED from SECRET_KEY (HMAC-SHA256 with a fixed label), never stored: the
 * database holds only their keyed hashes, like every other card and API key, and the sandbox phone page
 * can show them again after a restart by deriving them once more. Anyone who knows SECRET_KEY knows
 * them — which is already true of every hash in the database — and they exist only where the demo was
 * seeded (the embedded default, unless `--no-demo`).
 */
function stream(secretKey: string, label: string): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < 4; i++) parts.push(createHmac('sha256', secretKey).update(`prepaid-demo\0${label}\0${i}`).digest());
  return Buffer.concat(parts);
}

/** `count` decimal digits from the derived stream (rejection sampling keeps them uniform). */
function digits(secretKey: string, label: string, count: number): string {
  const bytes = stream(secretKey, label);
  let out = '';
  for (const b of bytes) {
    if (out.length === count) break;
    if (b < 250) out += String(b % 10);
  }
  if (out.length !== count) throw new Error('demo secret derivation ran short');
  return out;
}

/** A Luhn-valid 16-digit card number starting with the issuer prefix. */
export function demoCardNumber(secretKey: string, index: number, issuerPrefix: string): string {
  const body = issuerPrefix + digits(secretKey, `card-number:${index}`, CARD_NUMBER_LENGTH - 1 - issuerPrefix.length);
  return body + String(luhnCheckDigit(body));
}

export function demoCardPin(secretKey: string, index: number, pinLength: number): string {
  return digits(secretKey, `card-pin:${index}`, pinLength);
}

/** `sk_demo_` + 32 base64url characters: passes the API's key format check (`sk_[A-Za-z0-9_-]{20,64}`). */
export function demoMerchantKey(secretKey: string): string {
  return `sk_demo_${stream(secretKey, 'merchant-key').subarray(0, 24).toString('base64url')}`;
}
