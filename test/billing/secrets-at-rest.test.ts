import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { expect } from 'chai';
import { createMerchant } from '../../billing/merchants/merchants';
import { authorize } from '../../billing/settlement/settlement';
import { createLogger } from '../../app/logger';
import { createTestBilling } from '../support/databases';

/**
 * Proves that card numbers, PINs and API keys are never stored in clear: the raw bytes of the
 * SQLite database and its WAL are scanned for every secret, and so is a log stream that was
 * handed the secrets on purpose.
 */
describe('no card number, PIN or API key in clear', () => {
  it('is found in the SQLite database file or its WAL', async () => {
    const t = await createTestBilling('sqlite');
    try {
      const cards = [];
      for (let i = 0; i < 50; i++) cards.push(await t.billing.issueCard({ value_minor: 1000, currency: 'USD' }));
      const m = await t.billing.tx((ctx) => createMerchant(ctx, 'Shop'));
      if (!m.ok) throw m.error;
      for (const c of cards.slice(0, 10)) {
        const r = await t.billing.tx((ctx) => authorize(ctx, m.value.merchant.id, { card_number: c.number, pin: c.pin, amount: 100, currency: 'USD', reference: 'order-1' }));
        expect(r.ok).to.equal(true);
      }
      const file = t.tdb.url.slice('sqlite:'.length);
      const bytes = Buffer.concat([file, `${file}-wal`].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f)));
      expect(bytes.length).to.be.greaterThan(10_000);
      const text = bytes.toString('latin1');
      // Sanity: the scan does find what IS stored in clear (the last 4 digits, the serial).
      expect(text).to.contain(cards[0]?.serial);
      for (const c of cards) {
        expect(text.includes(c.number), 'card number in clear').to.equal(false);
        expect(text.includes(c.number.slice(0, 12)), 'card number prefix in clear').to.equal(false);
        // A 4-digit PIN occurs by chance in binary data, so look for it where a column would hold it:
        // next to the card's last4 or serial, or as its own text value.
        expect(text.includes(`${c.pin}${c.number.slice(-4)}`) || text.includes(`${c.number.slice(-4)}${c.pin}`), 'PIN beside last4').to.equal(false);
      }
      expect(text.includes(m.value.api_key), 'API key in clear').to.equal(false);
      expect(text.includes(m.value.api_key.slice(3, 20)), 'API key body in clear').to.equal(false);
      expect(path.basename(file)).to.equal('prepaid.db');
    } finally {
      await t.close();
    }
  });

  it('is found in the logs, even when code logs them by mistake', async () => {
    const stream = new PassThrough();
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    const logger = createLogger('debug', stream).child({ request_id: 'r1' });
    const number = '7123456789012346';
    const apiKey = 'sk_abcdefghijklmnopqrstuvwxyz0123456789';
    logger.info(`card ${number} tried`, { card_number: number, pin: '4321', body: { card_number: number, pin: '4321', nested: { api_key: apiKey } } });
    logger.warn('auth header', { authorization: `Bearer ${apiKey}`, header: `Bearer ${apiKey}` });
    logger.error('failed', { err: new Error(`bad card 7123 4567 8901 2346 with key ${apiKey}`) });
    await new Promise((r) => setImmediate(r));
    const out = Buffer.concat(chunks).toString('utf8');
    expect(out.split('\n').filter(Boolean)).to.have.length(3);
    expect(out).to.not.contain(number);
    expect(out).to.not.contain('7123 4567 8901 2346');
    expect(out).to.not.contain(apiKey);
    expect(out).to.not.contain('4321');
    expect(out).to.contain('2346'); // last 4 are kept, so support can still tell cards apart
    expect(out).to.contain('"request_id":"r1"');
  });
});
