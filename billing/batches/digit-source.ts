import { randomFillSync } from 'node:crypto';
import { luhnCheckDigit } from '../cards/luhn';
import { CARD_NUMBER_LENGTH } from '../cards/card-number';
import { BillingError } from '../shared/errors';

/**
 * Uniform random decimal digits from the CSPRNG, drawn in bulk: `crypto.randomInt` per digit costs
 * a call each; here one `randomFillSync` fills 64 KiB and each byte below 250 gives one digit
 * (byte % 10 — 250 is a multiple of 10, so rejection sampling keeps every digit equally likely).
 */
export class DigitSource {
  private readonly buf = Buffer.allocUnsafe(65_536);
  private pos = this.buf.length;

  digit(): number {
    for (;;) {
      if (this.pos >= this.buf.length) {
        randomFillSync(this.buf);
        this.pos = 0;
      }
      const b = this.buf[this.pos++] as number;
      if (b < 250) return b % 10;
    }
  }

  /** `n` random digits as a string. */
  digits(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode(48 + this.digit());
    return s;
  }
}

/**
 * Card numbers for one batch: issuer prefix + random digits + Luhn check digit, never repeated
 * within the generator (a Set of the numeric payload: 15 digits fit a double exactly).
 */
export class CardNumberGenerator {
  private readonly seen = new Set<number>();
  private readonly randomLength: number;

  constructor(private readonly issuerPrefix: string, private readonly source = new DigitSource()) {
    if (!/^\d{0,8}$/.test(issuerPrefix)) throw new BillingError('validation_error', 'issuer prefix must be 0 to 8 digits');
    this.randomLength = CARD_NUMBER_LENGTH - 1 - issuerPrefix.length;
  }

  /** A new number, distinct from every number this generator returned or was told about. */
  next(): string {
    for (let attempt = 0; attempt < 1000; attempt++) {
      const payload = this.issuerPrefix + this.source.digits(this.randomLength);
      const key = Number(payload);
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      return payload + String(luhnCheckDigit(payload));
    }
    throw new BillingError('internal_error', 'the card number space of this issuer prefix is exhausted');
  }

  /** Marks a number as taken (e.g. found already issued in the database). */
  reserve(number: string): void {
    this.seen.add(Number(number.slice(0, -1)));
  }

  pin(length: number): string {
    return this.source.digits(length);
  }
}
