import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Keyed hashing of card numbers, PINs and API keys (HMAC-SHA256 with SECRET_KEY).
 * Only these hashes are stored: a stolen database file reveals no number and no PIN
 * (a 4-digit PIN cannot be brute-forced offline without the key).
 */
export class SecretHasher {
  private readonly key: Buffer;
  constructor(secretKey: string) {
    if (secretKey.length < 32) throw new Error('SECRET_KEY must be at least 32 characters');
    this.key = Buffer.from(secretKey, 'utf8');
  }
  private mac(domain: string, value: string): string {
    return createHmac('sha256', this.key).update(domain).update('\0').update(value).digest('base64url');
  }
  cardNumber(number: string): string {
    return this.mac('card-number', number);
  }
  /** Bound to the card so equal PINs on different cards hash differently. */
  pin(cardNumberHash: string, pin: string): string {
    return this.mac(`pin:${cardNumberHash}`, pin);
  }
  apiKey(key: string): string {
    return this.mac('api-key', key);
  }
  token(purpose: string, token: string): string {
    return this.mac(`token:${purpose}`, token);
  }
  /** Constant-time comparison of two hashes. */
  static equal(a: string, b: string): boolean {
    const x = Buffer.from(a);
    const y = Buffer.from(b);
    return x.length === y.length && timingSafeEqual(x, y);
  }
}

export function generateSecretKey(): string {
  return randomBytes(32).toString('base64url');
}
