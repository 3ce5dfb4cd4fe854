import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Secrets that must be shown later (a gift card's number and PIN until the recipient claims it;
 * a buyer's card until its one reveal) are sealed at rest with AES-256-GCM under a key derived
 * from SECRET_KEY by HKDF-SHA256 (its own `info`, so it never equals the hashing key).
 * Format: `v1.<iv>.<tag>.<ciphertext>` in base64url. The order id is bound as associated data,
 * so a sealed value copied onto another order does not open.
 */
export class SecretBox {
  private readonly key: Buffer;
  constructor(secretKey: string) {
    if (secretKey.length < 32) throw new Error('SECRET_KEY must be at least 32 characters');
    this.key = Buffer.from(hkdfSync('sha256', Buffer.from(secretKey, 'utf8'), Buffer.from('prepaid'), Buffer.from('order-secrets-v1'), 32));
  }

  seal(plaintext: string, aad: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    c.setAAD(Buffer.from(aad, 'utf8'));
    const body = Buffer.concat([c.update(plaintext, 'utf8'), c.final()]);
    return ['v1', iv.toString('base64url'), c.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
  }

  /** Throws when the value was tampered with, sealed under another key or for another `aad`. */
  open(sealed: string, aad: string): string {
    const [v, iv, tag, body] = sealed.split('.');
    if (v !== 'v1' || !iv || !tag || body === undefined) throw new Error('unknown sealed format');
    const d = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    d.setAAD(Buffer.from(aad, 'utf8'));
    d.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([d.update(Buffer.from(body, 'base64url')), d.final()]).toString('utf8');
  }
}
