import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { authenticateCard } from '../../billing/cards/card-auth';
import { isLuhnValid } from '../../billing/cards/luhn';
import { merchantByApiKey } from '../../billing/merchants/merchants';
import { lookupRate } from '../../billing/rating/rate-store';
import { MemoryLogger } from '../../billing/shared/logger';
import { readDemo } from '../../sandbox/demo/demo-info';
import { demoCardNumber, demoCardPin, demoMerchantKey } from '../../sandbox/demo/demo-secrets';
import { seedDemo } from '../../sandbox/demo/seed-demo';
import { loadConfig } from '../../app/config';
import type { Config } from '../../app/config';
import { openBilling } from '../../app/open-billing';
import { redact } from '../../app/redact';

async function fresh(env: Record<string, string> = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prepaid-demo-'));
  const config = loadConfig({ DATA_DIR: dir, ...env });
  const billing = await openBilling(config);
  return { dir, config, billing, close: async () => { await billing.db.close(); fs.rmSync(dir, { recursive: true, force: true }); } };
}

const counts = async (b: Awaited<ReturnType<typeof fresh>>['billing']) =>
  b.db.one<{ cards: number; merchants: number; decks: number; batches: number }>(
    'SELECT (SELECT COUNT(*) FROM cards) AS cards, (SELECT COUNT(*) FROM merchants) AS merchants, (SELECT COUNT(*) FROM rate_decks) AS decks, (SELECT COUNT(*) FROM batches) AS batches',
  );

describe('demo seeding (embedded SQLite)', function () {
  this.timeout(20_000);

  it('seeds once: deck, three cards whose derived number and PIN work, a merchant whose derived key works', async () => {
    const t = await fresh();
    try {
      const logger = new MemoryLogger();
      expect(await seedDemo(t.config, t.billing, logger)).to.equal('seeded');
      expect(await counts(t.billing)).to.deep.equal({ cards: 3, merchants: 1, decks: 1, batches: 1 });
      expect(await seedDemo(t.config, t.billing, logger)).to.equal('present');
      expect(await counts(t.billing)).to.deep.equal({ cards: 3, merchants: 1, decks: 1, batches: 1 });

      const balances: number[] = [];
      for (const i of [0, 1, 2]) {
        const number = demoCardNumber(t.config.secretKey, i, t.billing.policy.issuer_prefix);
        expect(isLuhnValid(number)).to.equal(true);
        expect(number.startsWith(t.billing.policy.issuer_prefix)).to.equal(true);
        const card = await t.billing.tx((ctx) => authenticateCard(ctx, number, demoCardPin(t.config.secretKey, i, t.billing.policy.pin_length)));
        expect(card.ok, `demo card ${i} authenticates`).to.equal(true);
        if (card.ok) balances.push(card.value.balance_minor);
      }
      expect(balances).to.deep.equal([1000, 200, 50]);
      const m = await merchantByApiKey(t.billing.read(), demoMerchantKey(t.config.secretKey));
      expect(m?.status).to.equal('active');

      const ukMobile = await lookupRate(t.billing.db, '447700900123');
      expect(ukMobile).to.include({ prefix: '447', connect_fee_minor: 10, initial_increment_s: 6, increment_s: 6, blocked: false, currency: 'USD' });
      expect(await lookupRate(t.billing.db, '19005551234')).to.include({ prefix: '1900', blocked: true });
      expect(await lookupRate(t.billing.db, '12125550123')).to.include({ prefix: '1', blocked: false });
      expect(await lookupRate(t.billing.db, '34911234567')).to.include({ prefix: '34' });

      const demo = await readDemo(t.config, t.billing);
      expect(demo?.cards.map((c) => c.balance_minor)).to.deep.equal([1000, 200, 50]);
      expect(demo?.merchant?.api_key).to.equal(demoMerchantKey(t.config.secretKey));

      // The log says where to look, never the secrets (the product logger masks them too).
      const logged = JSON.stringify(logger.lines);
      for (const i of [0, 1, 2]) expect(logged).not.to.contain(demoCardNumber(t.config.secretKey, i, t.billing.policy.issuer_prefix));
      expect(logged).not.to.contain(demoMerchantKey(t.config.secretKey));
      expect(JSON.stringify(redact({ msg: `key ${demoMerchantKey(t.config.secretKey)}` }))).not.to.contain(demoMerchantKey(t.config.secretKey));
    } finally {
      await t.close();
    }
  });

  it('stores no demo card number or merchant key in clear (raw bytes of the SQLite file and WAL)', async () => {
    const t = await fresh();
    try {
      await seedDemo(t.config, t.billing, new MemoryLogger());
      const files = fs.readdirSync(t.dir).filter((f) => f.startsWith('prepaid.db')).map((f) => fs.readFileSync(path.join(t.dir, f)));
      expect(files.length).to.be.greaterThan(0);
      const all = Buffer.concat(files);
      const secrets = [0, 1, 2].map((i) => demoCardNumber(t.config.secretKey, i, t.billing.policy.issuer_prefix)).concat(demoMerchantKey(t.config.secretKey));
      for (const s of secrets) expect(all.includes(Buffer.from(s)), 'secret in clear').to.equal(false);
      // control: the last four digits are stored in clear by design, so the scan does see the file's text
      expect(all.includes(Buffer.from(secrets[0]!.slice(-4)))).to.equal(true);
    } finally {
      await t.close();
    }
  });

  it('derives different secrets from a different SECRET_KEY', () => {
    const a = 'a'.repeat(40);
    const b = 'b'.repeat(40);
    expect(demoCardNumber(a, 0, '7')).not.to.equal(demoCardNumber(b, 0, '7'));
    expect(demoCardNumber(a, 0, '7')).not.to.equal(demoCardNumber(a, 1, '7'));
    expect(demoMerchantKey(a)).to.match(/^sk_[A-Za-z0-9_-]{20,64}$/).and.not.equal(demoMerchantKey(b));
    expect(demoCardPin(a, 0, 6)).to.match(/^\d{6}$/);
  });

  it('does not seed a database that already has data, nor anything but the embedded default', async () => {
    const t = await fresh();
    try {
      await t.billing.issueCard({ value_minor: 500, currency: 'USD' });
      expect(await seedDemo(t.config, t.billing, new MemoryLogger())).to.equal('skipped-not-empty');
      expect(await counts(t.billing)).to.deep.equal({ cards: 1, merchants: 0, decks: 0, batches: 0 });
      const notEmbedded: Config = { ...t.config, embedded: false };
      expect(await seedDemo(notEmbedded, t.billing, new MemoryLogger())).to.equal('skipped-not-embedded');
      expect(await readDemo(t.config, t.billing)).to.equal(null);
    } finally {
      await t.close();
    }
  });

  it('scales to the currency: JPY cards of 1000, 200 and 50 yen', async () => {
    const t = await fresh({ DEFAULT_CURRENCY: 'JPY' });
    try {
      await seedDemo(t.config, t.billing, new MemoryLogger());
      const demo = await readDemo(t.config, t.billing);
      expect(demo?.cards.map((c) => [c.balance_minor, c.currency])).to.deep.equal([[1000, 'JPY'], [200, 'JPY'], [50, 'JPY']]);
      expect(await lookupRate(t.billing.db, '447700900123')).to.include({ connect_fee_minor: 10, currency: 'JPY' });
    } finally {
      await t.close();
    }
  });
});
