import http from 'node:http';
import { expect } from 'chai';
import type { IssuedCard } from '../../billing/billing';
import { KINDS, requireKind } from '../support/databases';
import { call, moneyRows, startTestApi } from './support/api-server';
import type { TestApi } from './support/api-server';

/**
 * Hostile and sloppy input: every case answers 4xx with a stable code, never 5xx, and writes
 * nothing to the money tables (or the idempotency table).
 */
interface Case { name: string; method?: string; path?: string; body?: unknown; raw?: string; contentType?: string; headers?: Record<string, string>; status: number; code: string }

function cases(card: IssuedCard): Case[] {
  const good = { card_number: card.number, pin: card.pin, amount: 100, currency: 'USD' };
  const with_ = (o: Record<string, unknown>) => ({ ...good, ...o });
  const A = '/v1/authorizations';
  return [
    { name: 'malformed JSON', raw: '{"card_number": "1234", "amount": 1,', status: 400, code: 'validation_error' },
    { name: 'a JSON array', raw: '[1, 2, 3]', status: 400, code: 'validation_error' },
    { name: 'a bare JSON string', raw: '"hello"', status: 400, code: 'validation_error' },
    { name: 'an empty object', body: {}, status: 400, code: 'validation_error' },
    { name: 'JSON sent as text/plain', raw: JSON.stringify(good), contentType: 'text/plain', status: 400, code: 'validation_error' },
    { name: 'form-encoded', raw: 'card_number=1&pin=2', contentType: 'application/x-www-form-urlencoded', status: 400, code: 'validation_error' },
    { name: 'a 100 kB body', body: with_({ description: 'x'.repeat(100_000) }), status: 400, code: 'validation_error' },
    { name: 'a description over 500 characters', body: with_({ description: 'x'.repeat(501) }), status: 400, code: 'validation_error' },
    { name: 'amount as a string', body: with_({ amount: '100' }), status: 400, code: 'validation_error' },
    { name: 'amount zero', body: with_({ amount: 0 }), status: 400, code: 'validation_error' },
    { name: 'amount negative', body: with_({ amount: -100 }), status: 400, code: 'validation_error' },
    { name: 'amount fractional', body: with_({ amount: 1.5 }), status: 400, code: 'validation_error' },
    { name: 'amount of 20 digits', raw: JSON.stringify(good).replace('"amount":100', '"amount":12345678901234567890'), status: 400, code: 'validation_error' },
    { name: 'amount 1e400 (Infinity)', raw: JSON.stringify(good).replace('"amount":100', '"amount":1e400'), status: 400, code: 'validation_error' },
    { name: 'amount null', body: with_({ amount: null }), status: 400, code: 'validation_error' },
    { name: 'card number as a number', raw: JSON.stringify(good).replace(`"${card.number}"`, card.number), status: 400, code: 'validation_error' },
    { name: 'card number of 20 digits', body: with_({ card_number: '12345678901234567890' }), status: 400, code: 'validation_error' },
    { name: 'card number with SQL', body: with_({ card_number: "1' OR '1'='1" }), status: 400, code: 'validation_error' },
    { name: 'PIN with SQL', body: with_({ pin: "1; DROP TABLE cards; --" }), status: 400, code: 'validation_error' },
    { name: 'PIN as an object', body: with_({ pin: { $gt: '' } }), status: 400, code: 'validation_error' },
    { name: 'an unknown field', body: with_({ is_admin: true }), status: 400, code: 'validation_error' },
    { name: '__proto__ smuggling', raw: JSON.stringify(good).replace('{', '{"__proto__":{"admin":true},'), status: 400, code: 'validation_error' },
    { name: 'capture as a string', body: with_({ capture: 'yes' }), status: 400, code: 'validation_error' },
    { name: 'currency lower case', body: with_({ currency: 'usd' }), status: 400, code: 'validation_error' },
    { name: 'currency unknown', body: with_({ currency: 'ABC' }), status: 400, code: 'validation_error' },
    { name: 'currency with SQL', body: with_({ currency: "USD'; DROP TABLE holds; --" }), status: 400, code: 'validation_error' },
    { name: 'another valid currency', body: with_({ currency: 'EUR', reference: "'); DELETE FROM ledger_entries; --" }), status: 402, code: 'currency_mismatch' },
    { name: 'deeply nested JSON', raw: `{"card_number":${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}}`, status: 400, code: 'validation_error' },
    { name: 'an Idempotency-Key over 255 characters', body: good, headers: { 'idempotency-key': 'k'.repeat(256) }, status: 400, code: 'validation_error' },
    { name: 'capture with SQL in the id', path: `${A}/${encodeURIComponent("x' OR 1=1 --")}/capture`, body: {}, status: 400, code: 'validation_error' },
    { name: 'capture with a 41-character id', path: `${A}/auth_${'a'.repeat(36)}/capture`, body: {}, status: 400, code: 'validation_error' },
    { name: 'capture an unknown id', path: `${A}/auth_unknown/capture`, body: {}, status: 404, code: 'not_found' },
    { name: 'capture amount as a string', path: `${A}/auth_unknown/capture`, body: { amount: 'all' }, status: 400, code: 'validation_error' },
    { name: 'void with a body field', path: `${A}/auth_unknown/void`, body: { amount: 1 }, status: 400, code: 'validation_error' },
    { name: 'refund without an authorization', path: '/v1/refunds', body: { amount: 100 }, status: 400, code: 'validation_error' },
    { name: 'refund a negative amount', path: '/v1/refunds', body: { authorization_id: 'auth_x', amount: -5 }, status: 400, code: 'validation_error' },
    { name: 'refund reason too long', path: '/v1/refunds', body: { authorization_id: 'auth_x', reason: 'r'.repeat(501) }, status: 400, code: 'validation_error' },
    { name: 'refund an unknown authorization', path: '/v1/refunds', body: { authorization_id: 'auth_x' }, status: 404, code: 'not_found' },
    { name: 'balance with an extra field', path: '/v1/balance', body: { card_number: card.number, pin: card.pin, amount: 1 }, status: 400, code: 'validation_error' },
    { name: 'GET with SQL in the id', method: 'GET', path: `${A}/${encodeURIComponent("1 UNION SELECT * FROM merchants")}`, status: 400, code: 'validation_error' },
    { name: 'DELETE an authorization', method: 'DELETE', path: `${A}/auth_x`, status: 404, code: 'not_found' },
  ];
}

/** Raw HTTP, so bodies fetch would refuse to build (or re-encode) go out as written. */
function raw(url: string, method: string, path: string, body: string | undefined, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url + path, { method, headers: { ...headers, ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

for (const kind of KINDS) {
  describe(`settlement API bad input (${kind})`, function () {
    let api: TestApi;
    let card: IssuedCard;
    before(async function () {
      await requireKind(this, kind);
      api = await startTestApi(kind);
      card = await api.t.billing.issueCard({ value_minor: 5000, currency: 'USD' });
    });
    after(async () => api?.close());

    it('answers every bad request 4xx with a stable code and writes nothing', async () => {
      const before = await moneyRows(api.t);
      const cardBefore = await api.t.billing.read().q.one('SELECT balance_minor, pending_minor, pin_failures FROM cards WHERE id = ?', [card.card_id]);
      const failures: string[] = [];
      for (const c of cases(card)) {
        const body = c.raw ?? (c.body === undefined ? undefined : JSON.stringify(c.body));
        const headers = { authorization: `Bearer ${api.api_key}`, ...(body !== undefined ? { 'content-type': c.contentType ?? 'application/json' } : {}), ...c.headers };
        const res = await raw(api.url, c.method ?? 'POST', c.path ?? '/v1/authorizations', body, headers);
        let parsed: { error?: { code?: string; message?: string } } = {};
        try { parsed = JSON.parse(res.body) as typeof parsed; } catch { /* checked below */ }
        if (res.status !== c.status || parsed.error?.code !== c.code) failures.push(`${c.name}: ${res.status} ${res.body.slice(0, 200)}`);
        if (res.status >= 500) failures.push(`${c.name}: 5xx`);
        if (res.body.includes(card.number)) failures.push(`${c.name}: echoed the card number`);
      }
      expect(failures).to.deep.equal([]);
      expect(await moneyRows(api.t)).to.deep.equal(before);
      expect(await api.t.billing.read().q.one('SELECT balance_minor, pending_minor, pin_failures FROM cards WHERE id = ?', [card.card_id])).to.deep.equal(cardBefore);
    });

    it('still works for a good request afterwards', async () => {
      const a = await call(api.url, 'POST', '/v1/authorizations', { key: api.api_key, body: { card_number: card.number, pin: card.pin, amount: 100, currency: 'USD' } });
      expect(a.status).to.equal(201);
    });
  });
}
