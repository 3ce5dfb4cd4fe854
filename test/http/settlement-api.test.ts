import { expect } from 'chai';
import { setCardStatus } from '../../billing/cards/card-admin';
import { createMerchant, revokeApiKey } from '../../billing/merchants/merchants';
import type { IssuedCard } from '../../billing/billing';
import { verifyLedger } from '../../billing/verify/ledger-verify';
import { KINDS, requireKind } from '../support/databases';
import { call, moneyRows, startTestApi } from './support/api-server';
import type { Answer, TestApi } from './support/api-server';

/**
 * Every /v1 endpoint and every error code of PRODUCT.md "Settlement HTTP API", through a real HTTP
 * server on loopback, on SQLite and PostgreSQL.
 */
for (const kind of KINDS) {
  describe(`settlement HTTP API (${kind})`, function () {
    let api: TestApi;
    let card: IssuedCard;
    before(async function () {
      await requireKind(this, kind);
      api = await startTestApi(kind, { options: { auth_cache_ttl_ms: 0 } });
    });
    after(async () => api?.close());
    beforeEach(async () => { card = await api.t.billing.issueCard({ value_minor: 5000, currency: 'USD' }); });

    const post = (p: string, body: unknown, o: { key?: string | null; headers?: Record<string, string> } = {}) =>
      call(api.url, 'POST', p, { key: o.key === undefined ? api.api_key : o.key, body, headers: o.headers });
    const get = (p: string, key: string = api.api_key) => call(api.url, 'GET', p, { key });
    const authz = (amount: number, extra: Record<string, unknown> = {}, c: IssuedCard = card, headers?: Record<string, string>) =>
      post('/v1/authorizations', { card_number: c.number, pin: c.pin, amount, currency: 'USD', ...extra }, { headers });
    const code = (a: Answer) => a.body.error?.code;
    const expectError = (a: Answer, status: number, c: string) => {
      expect(a.status, JSON.stringify(a.body)).to.equal(status);
      expect(code(a)).to.equal(c);
      expect(a.body.error?.request_id).to.equal(a.headers.get('x-request-id'));
      expect(a.body.error?.message).to.be.a('string').with.length.greaterThan(0);
    };

    it('authorizes: 201 with the documented shape, the card number never echoed', async () => {
      const a = await authz(1250, { reference: 'order-1', description: 'coffee' });
      expect(a.status).to.equal(201);
      expect(a.body).to.include({ status: 'pending', amount: 1250, captured_amount: 0, refunded_amount: 0, currency: 'USD', reference: 'order-1', description: 'coffee' });
      expect(a.body.id).to.match(/^auth_/);
      expect(a.body.card).to.deep.equal({ last4: card.number.slice(-4), balance: 5000, available: 3750 });
      expect(Date.parse(String(a.body.expires_at))).to.be.greaterThan(Date.parse(String(a.body.created_at)));
      expect(JSON.stringify(a.body)).not.to.include(card.number);
      expect(a.headers.get('x-request-id')).to.match(/^[0-9a-f-]{36}$/);
    });

    it('charges at once with capture: true', async () => {
      const a = await authz(1250, { capture: true });
      expect(a.status).to.equal(201);
      expect(a.body).to.include({ status: 'captured', captured_amount: 1250 });
      expect(a.body.card).to.deep.include({ balance: 3750, available: 3750 });
    });

    it('captures in part (the rest released), then refuses a second capture (invalid_state)', async () => {
      const a = await authz(2000);
      const c = await post(`/v1/authorizations/${a.body.id}/capture`, { amount: 500 });
      expect(c.status).to.equal(200);
      expect(c.body).to.include({ status: 'captured', captured_amount: 500 });
      expect(c.body.card).to.deep.include({ balance: 4500, available: 4500 });
      expectError(await post(`/v1/authorizations/${a.body.id}/capture`, {}), 409, 'invalid_state');
    });

    it('captures in whole with no body at all', async () => {
      const a = await authz(700);
      const c = await call(api.url, 'POST', `/v1/authorizations/${a.body.id}/capture`, { key: api.api_key });
      expect(c.status).to.equal(200);
      expect(c.body).to.include({ status: 'captured', captured_amount: 700 });
    });

    it('refuses a capture above the authorized amount (validation_error)', async () => {
      const a = await authz(2000);
      expectError(await post(`/v1/authorizations/${a.body.id}/capture`, { amount: 2001 }), 400, 'validation_error');
    });

    it('voids a pending authorization, then refuses to void it again (invalid_state)', async () => {
      const a = await authz(2000);
      const v = await post(`/v1/authorizations/${a.body.id}/void`, {});
      expect(v.status).to.equal(200);
      expect(v.body).to.include({ status: 'voided' });
      expect(v.body.card).to.deep.include({ balance: 5000, available: 5000 });
      expectError(await post(`/v1/authorizations/${a.body.id}/void`, {}), 409, 'invalid_state');
    });

    it('shows a merchant its own authorization and nobody else\'s (not_found)', async () => {
      const a = await authz(300);
      const g = await get(`/v1/authorizations/${a.body.id}`);
      expect(g.status).to.equal(200);
      expect(g.body).to.deep.equal(a.body);
      expectError(await get(`/v1/authorizations/${a.body.id}`, api.other_key), 404, 'not_found');
      expectError(await call(api.url, 'POST', `/v1/authorizations/${a.body.id}/capture`, { key: api.other_key, body: {} }), 404, 'not_found');
      expectError(await get('/v1/authorizations/auth_doesnotexist'), 404, 'not_found');
    });

    it('refunds in part and in whole (201), never more than captured', async () => {
      const a = await authz(2000, { capture: true });
      const r1 = await post('/v1/refunds', { authorization_id: a.body.id, amount: 500, reason: 'one item back' });
      expect(r1.status).to.equal(201);
      expect(r1.body).to.include({ authorization_id: a.body.id, amount: 500, currency: 'USD', reason: 'one item back' });
      expect(r1.body.id).to.match(/^re_/);
      expect((r1.body.authorization as Record<string, unknown>).refunded_amount).to.equal(500);
      expectError(await post('/v1/refunds', { authorization_id: a.body.id, amount: 1501 }), 400, 'validation_error');
      const r2 = await post('/v1/refunds', { authorization_id: a.body.id });
      expect(r2.status).to.equal(201);
      expect(r2.body.amount).to.equal(1500);
      expectError(await post('/v1/refunds', { authorization_id: a.body.id }), 409, 'invalid_state');
      expectError(await post('/v1/refunds', { authorization_id: 'auth_nope' }), 404, 'not_found');
    });

    it('refuses to refund an uncaptured authorization (invalid_state)', async () => {
      const a = await authz(2000);
      expectError(await post('/v1/refunds', { authorization_id: a.body.id }), 409, 'invalid_state');
    });

    it('answers the balance with number and PIN', async () => {
      await authz(1000);
      const b = await post('/v1/balance', { card_number: card.number, pin: card.pin });
      expect(b.status).to.equal(200);
      expect(b.body).to.include({ last4: card.number.slice(-4), currency: 'USD', balance: 5000, available: 4000, status: 'active' });
    });

    it('gives the same answer for a wrong PIN and an unknown card (invalid_card_credentials 402)', async () => {
      const wrong = await authz(100, { pin: card.pin === '0000' ? '1111' : '0000' });
      expectError(wrong, 402, 'invalid_card_credentials');
      const unknown = await authz(100, { card_number: '4111111111111111' });
      expectError(unknown, 402, 'invalid_card_credentials');
      expect(unknown.body.error?.message).to.equal(wrong.body.error?.message);
      expectError(await post('/v1/balance', { card_number: card.number, pin: card.pin === '0000' ? '1111' : '0000' }), 402, 'invalid_card_credentials');
    });

    it('locks the card after 5 wrong PINs, even for the right one (card_locked)', async () => {
      const bad = card.pin === '0000' ? '1111' : '0000';
      for (let i = 0; i < 5; i++) expectError(await authz(100, { pin: bad }), 402, 'invalid_card_credentials');
      expectError(await authz(100), 402, 'card_locked');
    });

    const statusCases: Array<[string, 'suspended' | 'closed']> = [['card_suspended', 'suspended'], ['card_closed', 'closed']];
    for (const [c, status] of statusCases) {
      it(`refuses a ${status} card (${c} 402)`, async () => {
        await api.t.billing.tx((ctx) => setCardStatus(ctx, card.card_id, status));
        expectError(await authz(100), 402, c);
      });
    }

    it('refuses an inactive card (card_inactive 402) and an expired one (card_expired 402)', async () => {
      const inactive = await api.t.billing.issueCard({ value_minor: 5000, currency: 'USD', status: 'inactive' });
      expectError(await authz(100, {}, inactive), 402, 'card_inactive');
      const expired = await api.t.billing.issueCard({ value_minor: 5000, currency: 'USD', expiry: { kind: 'fixed', expires_at_ms: api.t.clock.ms - 1 } });
      expectError(await authz(100, {}, expired), 402, 'card_expired');
    });

    it('refuses more than the available balance (insufficient_funds) and another currency (currency_mismatch)', async () => {
      expectError(await authz(5001), 402, 'insufficient_funds');
      expectError(await authz(100, { currency: 'EUR' }), 402, 'currency_mismatch');
    });

    it('requires a valid API key (unauthorized 401), and a revoked key stops working', async () => {
      expectError(await post('/v1/authorizations', {}, { key: null }), 401, 'unauthorized');
      expectError(await post('/v1/authorizations', {}, { key: 'sk_notarealkeynotarealkey123' }), 401, 'unauthorized');
      expectError(await call(api.url, 'GET', '/v1/authorizations/x', { headers: { authorization: 'Basic Zm9vOmJhcg==' } }), 401, 'unauthorized');
      const m = await api.t.billing.tx((ctx) => createMerchant(ctx, 'Soon revoked'));
      if (!m.ok) throw m.error;
      expect((await call(api.url, 'GET', '/v1/authorizations/auth_x', { key: m.value.api_key })).status).to.equal(404);
      await api.t.billing.tx((ctx) => revokeApiKey(ctx, m.value.merchant.id));
      expectError(await call(api.url, 'GET', '/v1/authorizations/auth_x', { key: m.value.api_key }), 401, 'unauthorized');
    });

    it('replays an idempotent request with its first answer, and refuses the key with another body (idempotency_conflict)', async () => {
      const headers = { 'idempotency-key': `key-${card.card_id}` };
      const first = await authz(1000, { capture: true }, card, headers);
      const again = await authz(1000, { capture: true }, card, headers);
      expect(first.status).to.equal(201);
      expect(again.status).to.equal(201);
      expect(again.body).to.deep.equal(first.body);
      expect(again.headers.get('idempotent-replayed')).to.equal('true');
      expectError(await authz(999, { capture: true }, card, headers), 409, 'idempotency_conflict');
      const b = await post('/v1/balance', { card_number: card.number, pin: card.pin });
      expect(b.body.balance).to.equal(4000); // charged once
      // Keys are per merchant: another merchant may use the same key for its own request.
      const other = await call(api.url, 'POST', '/v1/authorizations', { key: api.other_key, headers, body: { card_number: card.number, pin: card.pin, amount: 100, currency: 'USD' } });
      expect(other.status).to.equal(201);
    });

    it('replays a stored error too (first answer wins), but not a validation error', async () => {
      const headers = { 'idempotency-key': `err-${card.card_id}` };
      const first = await authz(6000, {}, card, headers);
      expectError(first, 402, 'insufficient_funds');
      const again = await authz(6000, {}, card, headers);
      expect(again.status).to.equal(402);
      expect(again.body).to.deep.equal(first.body);
      const badKey = await authz(100, {}, card, { 'idempotency-key': 'x'.repeat(256) });
      expectError(badKey, 400, 'validation_error');
    });

    it('replays capture, void and refund by key', async () => {
      const a = await authz(2000);
      const h = { 'idempotency-key': `cap-${a.body.id}` };
      const c1 = await post(`/v1/authorizations/${a.body.id}/capture`, { amount: 1000 }, { headers: h });
      const c2 = await post(`/v1/authorizations/${a.body.id}/capture`, { amount: 1000 }, { headers: h });
      expect([c1.status, c2.status]).to.deep.equal([200, 200]);
      expect(c2.body).to.deep.equal(c1.body);
      const r = { 'idempotency-key': `ref-${a.body.id}` };
      const r1 = await post('/v1/refunds', { authorization_id: a.body.id, amount: 100 }, { headers: r });
      const r2 = await post('/v1/refunds', { authorization_id: a.body.id, amount: 100 }, { headers: r });
      expect(r2.body).to.deep.equal(r1.body);
      const b = await authz(500);
      const v = { 'idempotency-key': `void-${b.body.id}` };
      const v1 = await post(`/v1/authorizations/${b.body.id}/void`, {}, { headers: v });
      const v2 = await post(`/v1/authorizations/${b.body.id}/void`, {}, { headers: v });
      expect([v1.status, v2.status]).to.deep.equal([200, 200]);
      const g = await get(`/v1/authorizations/${a.body.id}`);
      expect(g.body).to.include({ captured_amount: 1000, refunded_amount: 100 });
    });

    it('echoes a sane X-Request-Id and replaces a bad one', async () => {
      const a = await call(api.url, 'GET', '/v1/authorizations/auth_x', { key: api.api_key, headers: { 'x-request-id': 'trace-abc.123' } });
      expect(a.headers.get('x-request-id')).to.equal('trace-abc.123');
      expect(a.body.error?.request_id).to.equal('trace-abc.123');
      const b = await call(api.url, 'GET', '/v1/authorizations/auth_x', { key: api.api_key, headers: { 'x-request-id': 'bad id <script>' } });
      expect(b.headers.get('x-request-id')).to.match(/^[0-9a-f-]{36}$/);
    });

    it('answers an unknown /v1 path with not_found', async () => {
      expectError(await get('/v1/nothing-here'), 404, 'not_found');
    });

    it('serves health, readiness, metrics, the OpenAPI document and the docs page', async () => {
      expect((await call(api.url, 'GET', '/healthz')).body).to.deep.equal({ status: 'ok' });
      expect((await call(api.url, 'GET', '/readyz')).body).to.deep.equal({ status: 'ready' });
      await authz(100);
      await authz(100_000);
      const m = await fetch(`${api.url}/metrics`).then((r) => r.text());
      expect(m).to.match(/http_requests_total\{method="POST",route="\/v1\/authorizations",status="201"\} \d+/);
      expect(m).to.match(/http_request_duration_seconds_bucket\{le="[^"]+",method="POST",route="\/v1\/authorizations",status="402"\}/);
      expect(m).to.match(/settlement_authorizations_total\{outcome="insufficient_funds"\} [1-9]/);
      const pending = Number((await api.t.billing.read().q.one<{ n: number }>("SELECT COUNT(*) AS n FROM holds WHERE status = 'pending' AND kind = 'merchant'"))?.n);
      expect(m).to.include(`billing_pending_holds{kind="merchant"} ${pending}`);
      expect(m).to.match(/billing_pending_holds_amount_minor\{kind="merchant",currency="USD"\} [1-9]/);
      const doc = (await call(api.url, 'GET', '/openapi.json')).body as Record<string, unknown>;
      expect(doc.openapi).to.equal('3.1.0');
      expect(Object.keys(doc.paths as object)).to.have.members(['/v1/authorizations', '/v1/authorizations/{id}/capture', '/v1/authorizations/{id}/void', '/v1/authorizations/{id}', '/v1/refunds', '/v1/balance']);
      const schema = ((doc.components as Record<string, Record<string, Record<string, unknown>>>).schemas?.AuthorizeRequest) as Record<string, unknown>;
      expect(schema.additionalProperties).to.equal(false);
      expect(schema.required).to.have.members(['card_number', 'pin', 'amount', 'currency']);
      const html = await fetch(`${api.url}/docs`);
      expect(html.headers.get('content-type')).to.match(/text\/html/);
      expect(html.headers.get('content-security-policy')).to.be.a('string');
      const text = await html.text();
      for (const s of ['/v1/refunds', 'idempotency_conflict', 'Idempotency-Key', 'card_number', '/openapi.json']) expect(text).to.include(s);
      expect(text).not.to.match(/<script/i);
    });

    it('keeps the books balanced through all of the above', async () => {
      const rows = await moneyRows(api.t);
      expect(rows.ledger_entries).to.be.greaterThan(0);
      const v = await verifyLedger(api.t.billing.read().q);
      expect(v.violations).to.deep.equal([]);
    });
  });
}
