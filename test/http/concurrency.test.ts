import { expect } from 'chai';
import { createMerchant } from '../../billing/merchants/merchants';
import { unwrap } from '../../billing/shared/errors';
import { verifyLedger } from '../../billing/verify/ledger-verify';
import { createTestBilling, KINDS, requireKind } from '../support/databases';
import type { TestBilling } from '../support/databases';
import { call, startTestApi } from './support/api-server';
import { spawnServer } from './support/child-server';
import type { ChildServer } from './support/child-server';

/** 200 parallel 1.00 charges on a 50.00 card: exactly 50 succeed, never an overdraft. */
async function chargeStorm(urls: string[], key: string, number: string, pin: string): Promise<Map<string, number>> {
  const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => call(urls[i % urls.length]!, 'POST', '/v1/authorizations', {
    key, body: { card_number: number, pin, amount: 100, currency: 'USD', capture: true, reference: `storm-${i}` },
  })));
  const byCode = new Map<string, number>();
  for (const a of answers) {
    const c = a.status === 201 ? 'ok' : `${a.status} ${a.body.error?.code}`;
    byCode.set(c, (byCode.get(c) ?? 0) + 1);
  }
  return byCode;
}

async function expectSettled(t: TestBilling, card_id: number): Promise<void> {
  const q = t.billing.read().q;
  expect(await q.one('SELECT balance_minor, pending_minor FROM cards WHERE id = ?', [card_id])).to.deep.equal({ balance_minor: 0, pending_minor: 0 });
  expect(Number((await q.one<{ n: number }>("SELECT COUNT(*) AS n FROM holds WHERE card_id = ? AND status = 'captured'", [card_id]))?.n)).to.equal(50);
  const v = await verifyLedger(q);
  expect(v.violations).to.deep.equal([]);
}

for (const kind of KINDS) {
  describe(`settlement API under concurrency (${kind})`, function () {
    this.timeout(60_000);
    before(async function () { await requireKind(this, kind); });

    it('200 parallel 1.00 charges on a 50.00 card: 50 succeed, 150 insufficient_funds, balance 0.00', async () => {
      const api = await startTestApi(kind);
      try {
        const card = await api.t.billing.issueCard({ value_minor: 5000, currency: 'USD' });
        const byCode = await chargeStorm([api.url], api.api_key, card.number, card.pin);
        expect(Object.fromEntries(byCode)).to.deep.equal({ ok: 50, '402 insufficient_funds': 150 });
        await expectSettled(api.t, card.card_id);
      } finally { await api.close(); }
    });
  });
}

describe('settlement API in two server processes sharing one PostgreSQL database', function () {
  this.timeout(90_000);
  let t: TestBilling | undefined;
  const servers: ChildServer[] = [];
  before(async function () { await requireKind(this, 'pg'); });
  after(async () => {
    for (const s of servers) await s.kill9();
    await t?.close();
  });

  it('200 parallel charges split between two `prepaid serve --roles api` processes: exactly 50 succeed', async () => {
    t = await createTestBilling('pg');
    const card = await t.billing.issueCard({ value_minor: 5000, currency: 'USD' });
    const m = unwrap(await t.billing.tx((ctx) => createMerchant(ctx, 'Two-process shop')));
    servers.push(...await Promise.all([spawnServer(t.tdb.url), spawnServer(t.tdb.url)]));
    expect(servers[0]!.url).not.to.equal(servers[1]!.url);
    const byCode = await chargeStorm(servers.map((s) => s.url), m.api_key, card.number, card.pin);
    expect(Object.fromEntries(byCode)).to.deep.equal({ ok: 50, '402 insufficient_funds': 150 });
    await expectSettled(t, card.card_id);
    // Both processes served traffic, and both stop cleanly on SIGTERM.
    for (const s of servers) expect(s.lines.filter((l) => l.message === 'request' && l.route === '/v1/authorizations').length).to.be.greaterThan(0);
    expect(await Promise.all(servers.map((s) => s.stop()))).to.deep.equal([0, 0]);
  });
});
