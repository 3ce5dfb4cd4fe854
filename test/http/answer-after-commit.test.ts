import type http from 'node:http';
import { expect } from 'chai';
import express from 'express';
import pg from 'pg';
import { Registry } from 'prom-client';
import { Billing } from '../../billing/billing';
import { SecretHasher } from '../../billing/cards/secrets';
import { createExpressServer } from '../../billing/http/express-server';
import { DEFAULT_API_OPTIONS, mountSettlementApi } from '../../billing/http/mount';
import { createMerchant } from '../../billing/merchants/merchants';
import { systemClock } from '../../billing/shared/clock';
import { DEFAULT_POLICY } from '../../billing/shared/context';
import { unwrap } from '../../billing/shared/errors';
import { MemoryLogger } from '../../billing/shared/logger';
import { openDatabase } from '../../billing/store/sql/open';
import { verifyLedger } from '../../billing/verify/ledger-verify';
import { createTestDatabase, requireKind, TEST_SECRET } from '../support/databases';
import type { TestDatabase } from '../support/databases';
import { CommitDelayProxy } from '../support/pg-commit-delay-proxy';
import { call } from './support/api-server';

/**
 * "The answer only after COMMIT", end to end on PostgreSQL: the settlement API talks to the
 * database through a proxy that holds every COMMIT (and every implicit commit) back for 150 ms.
 * The moment each HTTP answer arrives, a separate, direct connection must already see what the
 * answer reports. An answer sent before its COMMIT would arrive while the proxy still holds that
 * COMMIT, and the direct read would not find the row. Covers the one-statement moves (group
 * committed) and the general transactions.
 */
const DELAY_MS = 150;

describe('no answer before its COMMIT (pg, through a proxy that delays every COMMIT)', function () {
  this.timeout(120_000);
  let tdb: TestDatabase;
  let proxy: CommitDelayProxy;
  let billing: Billing;
  let direct: pg.Pool;
  let server: http.Server;
  let url: string;
  let key: string;

  before(async function () {
    await requireKind(this, 'pg');
    tdb = await createTestDatabase('pg');
    const target = new URL(tdb.url);
    proxy = new CommitDelayProxy({ host: target.hostname, port: Number(target.port || 5432) }, DELAY_MS);
    const proxied = new URL(tdb.url);
    proxied.port = String(await proxy.start());
    billing = new Billing(openDatabase(proxied.toString(), { poolSize: 4 }), new SecretHasher(TEST_SECRET), systemClock, DEFAULT_POLICY);
    direct = new pg.Pool({ connectionString: tdb.url, max: 4 });
    // pool.end() resolves once it has asked its idle clients to end, not once their backends have
    // gone: the DROP ... WITH (FORCE) in after() can still terminate one, and the pool re-emits
    // that client's error. Nothing to do about it here but not crash.
    direct.on('error', () => undefined);
    const app = express();
    app.set('trust proxy', 'loopback');
    mountSettlementApi(app, { billing, logger: new MemoryLogger(), metrics: new Registry() }, DEFAULT_API_OPTIONS);
    server = createExpressServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const a = server.address();
    url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
    key = unwrap(await billing.tx((ctx) => createMerchant(ctx, 'Shop'))).api_key;
  });

  after(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await direct?.end();
    await billing?.db.close();
    await proxy?.close();
    await tdb?.drop();
  });

  /** What a direct connection sees of a hold the moment its answer arrived. */
  const seen = async (table: 'holds' | 'refunds', id: string) =>
    (await direct.query<{ status?: string }>(`SELECT ${table === 'holds' ? 'status' : "'refunded' AS status"} FROM ${table} WHERE id = $1`, [id])).rows[0]?.status ?? 'not visible';

  it('one-statement moves: every authorization, capture and void is committed when its answer arrives', async () => {
    const cards = await Promise.all(Array.from({ length: 6 }, () => billing.issueCard({ value_minor: 10_000, currency: 'USD' })));
    const heldBefore = proxy.held;
    const checks = await Promise.all(Array.from({ length: 18 }, async (_, i) => {
      const c = cards[i % cards.length]!;
      const a = await call(url, 'POST', '/v1/authorizations', { key, headers: { 'idempotency-key': `a-${i}` }, body: { card_number: c.number, pin: c.pin, amount: 100 + i, currency: 'USD', capture: i % 3 === 0 } });
      const id = String(a.body.id);
      const first = { status: a.status, answered: a.body.status, seen: await seen('holds', id) };
      if (i % 3 === 0) return [first];
      const follow = await call(url, 'POST', `/v1/authorizations/${id}/${i % 3 === 1 ? 'capture' : 'void'}`, { key, body: i % 3 === 1 ? { amount: 50 } : {} });
      return [first, { status: follow.status, answered: follow.body.status, seen: await seen('holds', id) }];
    }));
    for (const c of checks.flat()) {
      expect(c.status).to.be.oneOf([200, 201]);
      expect(c.seen, 'what a direct connection sees the moment the answer arrived').to.equal(c.answered);
    }
    expect(proxy.held - heldBefore, 'the proxy held the commits').to.be.greaterThan(0);
  });

  it('general transactions: a refund, and an authorization the one-statement form declines, are committed when answered', async () => {
    const card = await billing.issueCard({ value_minor: 10_000, currency: 'USD' });
    const charged = await call(url, 'POST', '/v1/authorizations', { key, body: { card_number: card.number, pin: card.pin, amount: 900, currency: 'USD', capture: true } });
    expect(charged.status).to.equal(201);
    const heldBefore = proxy.held;
    const refunds = await Promise.all([300, 200].map(async (amount) => {
      const r = await call(url, 'POST', '/v1/refunds', { key, body: { authorization_id: charged.body.id, amount } });
      return { status: r.status, seen: await seen('refunds', String(r.body.id)) };
    }));
    expect(refunds).to.deep.equal([{ status: 201, seen: 'refunded' }, { status: 201, seen: 'refunded' }]);
    // A failure counted on the card: the one-statement form declines; the general path resets it and authorizes.
    await direct.query('UPDATE cards SET pin_failures = 1 WHERE id = $1', [card.card_id]);
    const a = await call(url, 'POST', '/v1/authorizations', { key, body: { card_number: card.number, pin: card.pin, amount: 100, currency: 'USD' } });
    expect({ status: a.status, seen: await seen('holds', String(a.body.id)) }).to.deep.equal({ status: 201, seen: 'pending' });
    expect(proxy.held - heldBefore).to.be.greaterThan(0);
    expect((await verifyLedger(billing.read().q)).violations).to.deep.equal([]);
  });
});
