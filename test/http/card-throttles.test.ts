import { expect } from 'chai';
import type { IssuedCard } from '../../billing/billing';
import { unlockCardPin } from '../../billing/cards/card-admin';
import { KINDS, requireKind } from '../support/databases';
import { call, startTestApi } from './support/api-server';
import type { TestApi } from './support/api-server';

const wrongPin = (c: IssuedCard) => (c.pin === '0000' ? '1111' : '0000');
const MIN = 60_000;

/**
 * Who a failed card attempt over the settlement API counts against: the merchant (its own, higher
 * budget: card-testing protection) and the end customer's address when the merchant passes
 * `customer_ip` (IPv6 by its /64) — never the merchant server's own address.
 */
for (const kind of KINDS) {
  describe(`settlement API: card-attempt throttles keyed on the merchant and its customer (${kind})`, function () {
    this.timeout(60_000);
    let api: TestApi;
    before(async function () {
      await requireKind(this, kind);
      api = await startTestApi(kind, { policy: { source_max_failures: 3, merchant_max_failures: 8, pin_max_failures: 1000 } });
    });
    after(async () => api?.close());

    const issue = () => api.t.billing.issueCard({ value_minor: 10_000, currency: 'USD' });
    const authorize = (key: string, c: IssuedCard, pin: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
      call(api.url, 'POST', '/v1/authorizations', { key, headers, body: { card_number: c.number, pin, amount: 100, currency: 'USD', ...extra } });
    const reset = () => api.t.billing.db.run('DELETE FROM auth_throttles');

    it('customers of one merchant mistyping PINs do not lock that merchant\'s server out', async () => {
      await reset();
      const c = await issue();
      // Five failures from the merchant's one server address: more than the per-source figure (3).
      for (let i = 0; i < 5; i++) {
        expect((await authorize(api.api_key, c, wrongPin(c), {}, { 'x-forwarded-for': '203.0.113.9' })).body.error?.code).to.equal('invalid_card_credentials');
      }
      const ok = await authorize(api.api_key, c, c.pin, {}, { 'x-forwarded-for': '203.0.113.9' });
      expect(ok.status, JSON.stringify(ok.body)).to.equal(201);
      expect(await api.t.billing.db.all("SELECT key FROM auth_throttles WHERE key LIKE 'ip:%'")).to.deep.equal([]);
    });

    it('a merchant has its own budget of failures (card testing): then rate_limited naming the merchant account, other merchants unaffected, until the lock ends', async () => {
      await reset();
      const c = await issue();
      for (let i = 0; i < 8; i++) expect((await authorize(api.api_key, c, wrongPin(c))).status).to.equal(402);
      const refused = await authorize(api.api_key, c, c.pin);
      expect(refused.status).to.equal(429);
      expect(refused.body.error?.code).to.equal('rate_limited');
      expect(refused.body.error?.message).to.contain('merchant account');
      const balance = await call(api.url, 'POST', '/v1/balance', { key: api.api_key, body: { card_number: c.number, pin: c.pin } });
      expect(balance.body.error?.code).to.equal('rate_limited');
      expect((await authorize(api.other_key, c, c.pin)).status).to.equal(201);
      api.t.clock.advance(api.t.billing.policy.source_lock_ms + 1);
      expect((await authorize(api.api_key, c, c.pin)).status).to.equal(201);
    });

    it('customer_ip: failures count against that customer\'s address, which is then refused even with the right PIN; other customers are not', async () => {
      await reset();
      const c = await issue();
      for (let i = 0; i < 3; i++) {
        expect((await authorize(api.api_key, c, wrongPin(c), { customer_ip: '198.51.100.23' })).body.error?.code).to.equal('invalid_card_credentials');
      }
      const refused = await authorize(api.api_key, c, c.pin, { customer_ip: '198.51.100.23' });
      expect(refused.status).to.equal(429);
      expect(refused.body.error?.message).to.contain('from this source');
      const bal = await call(api.url, 'POST', '/v1/balance', { key: api.api_key, body: { card_number: c.number, pin: c.pin, customer_ip: '198.51.100.23' } });
      expect(bal.body.error?.code).to.equal('rate_limited');
      // The same address reaching us through another merchant is the same customer.
      expect((await authorize(api.other_key, c, c.pin, { customer_ip: '198.51.100.23' })).status).to.equal(429);
      // Other customers of the same merchant, and requests without customer_ip, go on.
      expect((await authorize(api.api_key, c, c.pin, { customer_ip: '198.51.100.24' })).status).to.equal(201);
      expect((await authorize(api.api_key, c, c.pin)).status).to.equal(201);
      // An IPv4-mapped IPv6 address is that IPv4 address.
      expect((await authorize(api.api_key, c, c.pin, { customer_ip: '::ffff:198.51.100.23' })).status).to.equal(429);
    });

    it('customer_ip over IPv6: one key per /64, so rotating addresses inside a /64 does not escape', async () => {
      await reset();
      const c = await issue();
      for (const ip of ['2001:db8:aa:1::1', '2001:db8:aa:1:8000::2', '2001:db8:aa:1:ffff:ffff:ffff:fffe']) {
        expect((await authorize(api.api_key, c, wrongPin(c), { customer_ip: ip })).status).to.equal(402);
      }
      expect((await authorize(api.api_key, c, c.pin, { customer_ip: '2001:db8:aa:1:1234::99' })).status).to.equal(429);
      expect((await authorize(api.api_key, c, c.pin, { customer_ip: '2001:db8:aa:2::1' })).status, 'the next /64').to.equal(201);
      expect(await api.t.billing.db.all("SELECT key FROM auth_throttles WHERE key LIKE 'ip:%'")).to.deep.equal([{ key: 'ip:2001:db8:aa:1::/64' }]);
    });

    it('a customer_ip that is not an IP address is a validation_error, and nothing is counted', async () => {
      await reset();
      const c = await issue();
      for (const bad of ['not-an-ip', '203.0.113.256', '2001:db8::1::2', 42, '']) {
        const r = await authorize(api.api_key, c, wrongPin(c), { customer_ip: bad });
        expect(r.status, String(bad)).to.equal(400);
        expect(r.body.error?.message).to.contain('customer_ip');
      }
      expect(await api.t.billing.db.all('SELECT key FROM auth_throttles')).to.deep.equal([]);
    });

    it('documents customer_ip in the OpenAPI schema of both card requests', async () => {
      const doc = (await call(api.url, 'GET', '/openapi.json')).body as { components: { schemas: Record<string, { properties: Record<string, { description?: string }>; required?: string[] }> } };
      for (const name of ['AuthorizeRequest', 'BalanceRequest']) {
        const s = doc.components.schemas[name]!;
        expect(s.properties.customer_ip?.description, name).to.contain('IP address of YOUR customer');
        expect(s.required ?? []).to.not.include('customer_ip');
      }
    });
  });

  describe(`settlement API: PIN lockouts escalate to a lock until unlocked (${kind})`, function () {
    this.timeout(60_000);
    let api: TestApi;
    before(async function () {
      await requireKind(this, kind);
      api = await startTestApi(kind, { policy: { pin_max_failures: 2, pin_lock_ms: 5 * MIN, pin_lock_max_ms: 60 * MIN, pin_max_lockouts: 2 } });
    });
    after(async () => api?.close());

    it('locks for a while, then until the issuer unlocks; card_locked says which; an unlock lets the right PIN in', async () => {
      const c = await api.t.billing.issueCard({ value_minor: 10_000, currency: 'USD' });
      const attempt = (pin: string) => call(api.url, 'POST', '/v1/authorizations', { key: api.api_key, body: { card_number: c.number, pin, amount: 100, currency: 'USD' } });
      for (let i = 0; i < 2; i++) expect((await attempt(wrongPin(c))).body.error?.code).to.equal('invalid_card_credentials');
      const timed = await attempt(c.pin);
      expect([timed.status, timed.body.error?.code]).to.deep.equal([402, 'card_locked']);
      expect(timed.body.error?.message).to.contain('for a while');
      api.t.clock.advance(5 * MIN + 1);
      for (let i = 0; i < 2; i++) expect((await attempt(wrongPin(c))).body.error?.code).to.equal('invalid_card_credentials');
      api.t.clock.advance(24 * 60 * MIN);
      const held = await attempt(c.pin);
      expect([held.status, held.body.error?.code]).to.deep.equal([402, 'card_locked']);
      expect(held.body.error?.message).to.contain('until the card issuer unlocks it');
      await api.t.billing.tx(async (ctx) => {
        const u = await unlockCardPin(ctx, c.card_id);
        expect(u.ok && u.value.changed).to.equal(true);
      });
      expect((await attempt(c.pin)).status).to.equal(201);
    });
  });
}
