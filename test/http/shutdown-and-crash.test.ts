import http from 'node:http';
import { expect } from 'chai';
import { Billing } from '../../billing/billing';
import { SecretHasher } from '../../billing/cards/secrets';
import { createMerchant } from '../../billing/merchants/merchants';
import { systemClock } from '../../billing/shared/clock';
import { DEFAULT_POLICY } from '../../billing/shared/context';
import { unwrap } from '../../billing/shared/errors';
import { MemoryLogger } from '../../billing/shared/logger';
import { verifyLedger } from '../../billing/verify/ledger-verify';
import { startServer } from '../../app/serve';
import { createTestDatabase, KINDS, requireKind, TEST_SECRET } from '../support/databases';
import type { Kind, TestDatabase } from '../support/databases';
import { call, testConfig } from './support/api-server';
import { spawnServer } from './support/child-server';
import type { ChildServer } from './support/child-server';

async function seed(tdb: TestDatabase, value_minor: number) {
  const billing = new Billing(tdb.open(), new SecretHasher(TEST_SECRET), systemClock, DEFAULT_POLICY);
  const card = await billing.issueCard({ value_minor, currency: 'USD' });
  const m = unwrap(await billing.tx((ctx) => createMerchant(ctx, 'Shop')));
  return { billing, card, api_key: m.api_key };
}

/** Sends the headers (Expect: 100-continue) and resolves once the server has begun the request; then `finish` sends the body. */
function startRequest(url: string, path: string, key: string, body: string) {
  return new Promise<{ finish(): Promise<{ status: number; body: string }> }>((resolve, reject) => {
    const req = http.request(url + path, {
      method: 'POST', agent: false,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), expect: '100-continue' },
    });
    const response = new Promise<{ status: number; body: string }>((res, rej) => {
      req.on('response', (r) => {
        let text = '';
        r.setEncoding('utf8');
        r.on('data', (c: string) => { text += c; });
        r.on('end', () => res({ status: r.statusCode ?? 0, body: text }));
      });
      req.on('error', rej);
    });
    req.on('error', reject);
    req.on('continue', () => resolve({ finish: () => { req.end(body); return response; } }));
    req.flushHeaders();
  });
}

for (const kind of KINDS) {
  describe(`serve: graceful shutdown and crash recovery (${kind})`, function () {
    this.timeout(90_000);
    let tdb: TestDatabase | undefined;
    const children: ChildServer[] = [];
    before(async function () { await requireKind(this, kind as Kind); });
    afterEach(async () => {
      for (const c of children.splice(0)) await c.kill9();
      await tdb?.drop();
      tdb = undefined;
    });

    it('lets a request in flight during stop() finish, committed, while refusing new connections', async () => {
      tdb = await createTestDatabase(kind);
      const { billing, card, api_key } = await seed(tdb, 5000);
      const server = await startServer(testConfig(tdb.url, { LOG_LEVEL: 'warn' }), new MemoryLogger(), ['api']);
      const inflight = await startRequest(server.url, '/v1/authorizations', api_key, JSON.stringify({ card_number: card.number, pin: card.pin, amount: 1234, currency: 'USD', capture: true }));
      const stopped = server.stop();
      const answer = await inflight.finish();
      await stopped;
      expect(answer.status, answer.body).to.equal(201);
      const id = (JSON.parse(answer.body) as { id: string }).id;
      const q = billing.read().q;
      expect(await q.one('SELECT status, captured_minor FROM holds WHERE id = ?', [id])).to.deep.equal({ status: 'captured', captured_minor: 1234 });
      expect((await verifyLedger(q)).ok).to.equal(true);
      let refused = false;
      await fetch(`${server.url}/healthz`).catch(() => { refused = true; });
      expect(refused).to.equal(true);
      await billing.db.close();
    });

    it('after kill -9 mid-stream and a restart, every charge the client saw succeed is in the ledger exactly once', async () => {
      tdb = await createTestDatabase(kind);
      const { billing, card, api_key } = await seed(tdb, 1_000_000);
      let server = await spawnServer(tdb.url);
      children.push(server);
      const body = (n: number) => ({ card_number: card.number, pin: card.pin, amount: 100, currency: 'USD', capture: true, reference: `crash-${n}` });
      const seen = new Map<string, string>(); // idempotency key → authorization id the client saw succeed
      const unknown: number[] = []; // in flight when the server died: outcome unknown to the client
      let next = 0;
      let killed: Promise<void> | undefined;
      const worker = async () => {
        while (next < 2000) {
          const n = next++;
          try {
            const a = await call(server.url, 'POST', '/v1/authorizations', { key: api_key, body: body(n), headers: { 'idempotency-key': `crash-${n}` } });
            expect(a.status, JSON.stringify(a.body)).to.equal(201);
            seen.set(`crash-${n}`, String(a.body.id));
            if (seen.size === 150) killed ??= server.kill9();
          } catch (err) {
            if (!killed) throw err;
            unknown.push(n);
            return;
          }
        }
      };
      await Promise.all(Array.from({ length: 8 }, worker));
      await killed;
      expect(seen.size).to.be.at.least(150);

      server = await spawnServer(tdb.url); // same database, after the crash
      children.push(server);
      const q = billing.read().q;
      for (const [, id] of seen) {
        const entries = await q.one<{ n: number }>("SELECT COUNT(*) AS n FROM ledger_entries WHERE hold_id = ? AND kind = 'capture'", [id]);
        expect(Number(entries?.n), id).to.equal(1);
      }
      // The client retries what it did not hear back, with the same keys: no charge is made twice.
      for (const n of unknown) {
        const a = await call(server.url, 'POST', '/v1/authorizations', { key: api_key, body: body(n), headers: { 'idempotency-key': `crash-${n}` } });
        expect(a.status).to.equal(201);
        seen.set(`crash-${n}`, String(a.body.id));
      }
      const replay = await call(server.url, 'POST', '/v1/authorizations', { key: api_key, body: body(0), headers: { 'idempotency-key': 'crash-0' } });
      expect(replay.body.id).to.equal(seen.get('crash-0'));
      const holds = Number((await q.one<{ n: number }>('SELECT COUNT(*) AS n FROM holds'))?.n);
      expect(holds).to.equal(seen.size);
      expect(new Set(seen.values()).size).to.equal(seen.size);
      const c = await q.one<{ balance_minor: number }>('SELECT balance_minor FROM cards WHERE id = ?', [card.card_id]);
      expect(c?.balance_minor).to.equal(1_000_000 - 100 * seen.size);
      const v = await verifyLedger(q);
      expect(v.violations).to.deep.equal([]);
      expect(await server.stop()).to.equal(0);
      await billing.db.close();
    });
  });
}
