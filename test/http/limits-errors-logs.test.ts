import { PassThrough } from 'node:stream';
import { expect } from 'chai';
import type { IssuedCard } from '../../billing/billing';
import { createLogger } from '../../app/logger';
import { KINDS, requireKind } from '../support/databases';
import { call, startTestApi } from './support/api-server';

const wrongPin = (c: IssuedCard) => (c.pin === '0000' ? '1111' : '0000');

for (const kind of KINDS) {
  describe(`settlement API limits, failures and logs (${kind})`, function () {
    before(async function () { await requireKind(this, kind); });

    // Keyed on the END CUSTOMER's address the merchant passes (customer_ip), not on the request's
    // address, which is the merchant's server (issue #13; test/http/card-throttles.test.ts has the rest).
    it('throttles a customer address after too many wrong card credentials (rate_limited 429), even with the right PIN', async () => {
      const api = await startTestApi(kind, { policy: { source_max_failures: 3 } });
      try {
        const cards = await Promise.all([1, 2, 3, 4].map(() => api.t.billing.issueCard({ value_minor: 1000, currency: 'USD' })));
        const attempt = (c: IssuedCard, pin: string, ip: string) => call(api.url, 'POST', '/v1/authorizations', {
          key: api.api_key, body: { card_number: c.number, pin, amount: 100, currency: 'USD', customer_ip: ip },
        });
        for (const c of cards.slice(0, 3)) expect((await attempt(c, wrongPin(c), '203.0.113.9')).body.error?.code).to.equal('invalid_card_credentials');
        const c4 = cards[3]!;
        const blocked = await attempt(c4, c4.pin, '203.0.113.9');
        expect(blocked.status).to.equal(429);
        expect(blocked.body.error?.code).to.equal('rate_limited');
        const balance = await call(api.url, 'POST', '/v1/balance', { key: api.api_key, body: { card_number: c4.number, pin: c4.pin, customer_ip: '203.0.113.9' } });
        expect(balance.body.error?.code).to.equal('rate_limited');
        expect((await attempt(c4, c4.pin, '198.51.100.7')).status).to.equal(201); // another address is not affected
      } finally { await api.close(); }
    });

    it('limits requests per address and per merchant (rate_limited 429 with RateLimit headers)', async () => {
      const api = await startTestApi(kind, { options: { ip_limit: { window_ms: 60_000, max: 5 }, merchant_limit: { window_ms: 60_000, max: 3 } } });
      try {
        const get = (key: string, ip: string) => call(api.url, 'GET', '/v1/authorizations/auth_x', { key, headers: { 'x-forwarded-for': ip } });
        expect((await Promise.all([1, 2, 3].map((i) => get(api.api_key, `192.0.2.${i}`)))).map((a) => a.status)).to.deep.equal([404, 404, 404]);
        const limited = await get(api.api_key, '192.0.2.9');
        expect(limited.status).to.equal(429);
        expect(limited.body.error?.code).to.equal('rate_limited');
        expect(limited.headers.get('ratelimit-policy')).to.be.a('string');
        expect((await get(api.other_key, '192.0.2.1')).status).to.equal(404); // the other merchant has its own budget
        const perIp = await Promise.all([1, 2, 3, 4, 5, 6].map(() => get(api.other_key, '192.0.2.200')));
        expect(perIp.map((a) => a.status)).to.include(429);
      } finally { await api.close(); }
    });

    it('answers internal_error 500 without leaking the cause, and /readyz 503, when the database is gone', async () => {
      const api = await startTestApi(kind);
      const card = await api.t.billing.issueCard({ value_minor: 1000, currency: 'USD' });
      await api.t.billing.db.close();
      try {
        const a = await call(api.url, 'POST', '/v1/authorizations', { key: api.api_key, body: { card_number: card.number, pin: card.pin, amount: 100, currency: 'USD' } });
        expect(a.status).to.equal(500);
        expect(a.body.error?.code).to.equal('internal_error');
        expect(a.body.error?.message).not.to.match(/database|pool|sql|connection|not open/i);
        expect(a.body.error?.request_id).to.equal(a.headers.get('x-request-id'));
        expect((await call(api.url, 'GET', '/readyz')).status).to.equal(503);
        expect((await call(api.url, 'GET', '/healthz')).status).to.equal(200);
      } finally {
        await api.close().catch(() => api.t.tdb.drop());
      }
    });

    it('logs every request as masked JSON with its request id: no card number, PIN or API key in the stream', async () => {
      const stream = new PassThrough();
      let text = '';
      stream.on('data', (c: Buffer) => { text += c.toString('utf8'); });
      const api = await startTestApi(kind, { logger: createLogger('debug', stream) });
      try {
        const card = await api.t.billing.issueCard({ value_minor: 1000, currency: 'USD' });
        const body = { card_number: card.number, pin: card.pin, amount: 100, currency: 'USD', capture: true };
        const ok = await call(api.url, 'POST', '/v1/authorizations', { key: api.api_key, body, headers: { 'x-request-id': 'log-test-1' } });
        expect(ok.status).to.equal(201);
        await call(api.url, 'POST', '/v1/authorizations', { key: api.api_key, body: { ...body, pin: wrongPin(card) } });
        await call(api.url, 'POST', '/v1/balance', { key: api.api_key, body: { card_number: card.number, pin: card.pin } });
        await call(api.url, 'POST', '/v1/authorizations', { key: api.api_key, body: { ...body, [card.number]: card.pin } }); // secrets as a field name
        await call(api.url, 'POST', '/v1/authorizations', { key: `${api.api_key}x`, body });
        await call(api.url, 'GET', `/v1/authorizations/${card.number}`, { key: api.api_key });
        await api.t.billing.db.close();
        await call(api.url, 'POST', '/v1/authorizations', { key: api.api_key, body }); // a 500, whose error is logged
        await new Promise((r) => setImmediate(r));
        const lines = text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
        const requests = lines.filter((l) => l.message === 'request');
        expect(requests.length).to.be.at.least(7);
        for (const l of requests) expect(l.request_id).to.be.a('string');
        expect(requests.find((l) => l.request_id === 'log-test-1')).to.include({ status: 201, route: '/v1/authorizations', merchant_id: api.merchant_id });
        expect(lines.some((l) => l.level === 'error' && l.message === 'unhandled error')).to.equal(true);
        expect(text).not.to.include(card.number);
        expect(text).not.to.include(api.api_key);
        // A 4-digit PIN could appear by chance inside a UUID or a timestamp: look everywhere else.
        const rest = text.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '').replace(/"timestamp":"[^"]*"/g, '');
        expect(rest).not.to.match(new RegExp(`(?<![0-9.])${card.pin}(?![0-9.])`));
        expect(rest).not.to.match(new RegExp(`(?<![0-9.])${wrongPin(card)}(?![0-9.])`));
      } finally {
        await api.close().catch(() => api.t.tdb.drop());
      }
    });
  });
}
