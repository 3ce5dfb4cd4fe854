import { expect } from 'chai';
import { requireKind } from '../support/databases';
import { call, startTestApi } from './support/api-server';
import type { Answer, TestApi } from './support/api-server';

/** What every JSON answer of the API carries (billing/http/api-security-headers.ts, OWASP REST). */
const API_HEADERS: Record<string, string> = {
  'content-security-policy': "default-src 'none';frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
  'x-permitted-cross-domain-policies': 'none',
  'cache-control': 'no-store',
};
/** A page's headers, which a JSON answer goes without. */
const PAGE_ONLY = ['cross-origin-opener-policy', 'origin-agent-cluster', 'x-dns-prefetch-control', 'x-download-options', 'x-xss-protection'];

function expectApiHeaders(a: Answer, what: string): void {
  const got = Object.fromEntries(Object.keys(API_HEADERS).map((h) => [h, a.headers.get(h)]));
  expect(got, what).to.deep.equal(API_HEADERS);
  expect(a.headers.get('content-type'), what).to.equal('application/json; charset=utf-8');
  for (const h of PAGE_ONLY) expect(a.headers.get(h), `${what}: ${h}`).to.equal(null);
  expect(a.headers.get('x-powered-by'), what).to.equal(null);
}

/** The headers are the HTTP layer's, whatever the database: checked on the embedded default. */
describe('settlement API security headers', function () {
  let api: TestApi;
  before(async function () {
    await requireKind(this, 'sqlite');
    api = await startTestApi('sqlite', { options: { ip_limit: { window_ms: 60_000, max: 8 } } });
  });
  after(async () => api?.close());

  it('every JSON answer, success or error, carries the API set and none of a page\'s', async () => {
    const card = await api.t.billing.issueCard({ value_minor: 1000, currency: 'USD' });
    const ip = { 'x-forwarded-for': '198.51.100.1' };
    const answers: Array<[string, Answer, number]> = [
      ['authorized', await call(api.url, 'POST', '/v1/authorizations', { key: api.api_key, headers: ip, body: { card_number: card.number, pin: card.pin, amount: 100, currency: 'USD' } }), 201],
      ['no API key', await call(api.url, 'POST', '/v1/authorizations', { headers: ip, body: {} }), 401],
      ['body not JSON', await call(api.url, 'POST', '/v1/authorizations', { key: api.api_key, headers: ip, body: '{"amount":' }), 400],
      ['no such endpoint', await call(api.url, 'GET', '/v1/nothing-here', { key: api.api_key, headers: ip }), 404],
      ['the API description', await call(api.url, 'GET', '/openapi.json', { headers: ip }), 200],
    ];
    for (const [what, a, status] of answers) {
      expect(a.status, what).to.equal(status);
      expectApiHeaders(a, what);
    }
  });

  it('a request refused by the request-rate limit carries them too', async () => {
    const ip = { 'x-forwarded-for': '198.51.100.2' };
    let limited: Answer | undefined;
    for (let i = 0; i < 10 && !limited; i++) {
      const a = await call(api.url, 'GET', '/v1/authorizations/auth_x', { key: api.api_key, headers: ip });
      if (a.status === 429) limited = a;
    }
    expect(limited, 'the 9th request from one address is over the limit of 8').to.not.equal(undefined);
    expectApiHeaders(limited!, 'rate limited');
  });

  it('the /docs page keeps the headers of a page', async () => {
    const res = await fetch(`${api.url}/docs`);
    await res.text();
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^text\/html/);
    expect(res.headers.get('content-security-policy')).to.match(/default-src 'self'/);
    expect(res.headers.get('x-frame-options')).to.equal('SAMEORIGIN');
    expect(res.headers.get('cross-origin-opener-policy')).to.equal('same-origin');
  });
});
