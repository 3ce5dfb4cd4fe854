import { expect } from 'chai';
import { KINDS, requireKind } from '../support/databases';
import { call, startTestApi } from './support/api-server';
import type { TestApi } from './support/api-server';

/** Found by review: inputs that once reached a 500 (PostgreSQL refuses NUL in text; undecodable paths). */
for (const kind of KINDS) {
  describe(`settlement API review regressions (${kind})`, function () {
    let api: TestApi;
    before(async function () {
      await requireKind(this, kind);
      api = await startTestApi(kind);
    });
    after(async () => api?.close());

    it('refuses control characters in free text with validation_error, writing nothing', async () => {
      const card = await api.t.billing.issueCard({ value_minor: 1000, currency: 'USD' });
      const before = await api.t.billing.db.one<{ n: number }>('SELECT COUNT(*) AS n FROM holds');
      for (const field of ['reference', 'description']) {
        const r = await call(api.url, 'POST', '/v1/authorizations', { key: api.api_key, body: { card_number: card.number, pin: card.pin, amount: 100, currency: 'USD', [field]: 'a\u0000b' } });
        expect(r.status, field).to.equal(400);
        expect(r.body.error?.code).to.equal('validation_error');
      }
      const after = await api.t.billing.db.one<{ n: number }>('SELECT COUNT(*) AS n FROM holds');
      expect(Number(after?.n)).to.equal(Number(before?.n));
    });

    it('answers a malformed percent-escape in the path with 400, not 500', async () => {
      for (const [method, path] of [['GET', '/v1/authorizations/%E0%A4%A'], ['POST', '/v1/authorizations/%ZZ/capture']] as const) {
        const r = await call(api.url, method, path, { key: api.api_key, body: method === 'POST' ? {} : undefined });
        expect(r.status, path).to.equal(400);
        expect(r.body.error?.code).to.equal('validation_error');
      }
    });
  });
}
