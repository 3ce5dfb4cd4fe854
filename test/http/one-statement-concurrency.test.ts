import { expect } from 'chai';
import { adjustCard } from '../../billing/cards/card-admin';
import { callChunkHold, reserveCallChunk, settleCallChunk, settleCallChunkInOneStatement } from '../../billing/calls/call-holds';
import { reserveOrReadInOneStatement } from '../../billing/holds/one-statement';
import { verifyLedger } from '../../billing/verify/ledger-verify';
import { KINDS, requireKind } from '../support/databases';
import { call, startTestApi } from './support/api-server';
import type { Answer, TestApi } from './support/api-server';

/**
 * Random interleavings through the production entry points — the settlement API (one statement,
 * group committed, on PostgreSQL; the general transaction when that declines) and the call chunk
 * moves the IVR makes — from 16 concurrent workers over 4 cards, with idempotent replays and
 * conflicts, partial captures, voids, refunds, adjustments and holds expiring under them. A model
 * of what the answers said must match the books exactly, and every replay must be its first answer.
 */
for (const kind of KINDS) {
  describe(`one-statement and general paths interleaved never overdraw, lose or double a posting (${kind})`, function () {
    this.timeout(180_000);
    let api: TestApi;
    before(async function () {
      await requireKind(this, kind);
      api = await startTestApi(kind, { poolSize: 8, policy: { merchant_hold_ttl_ms: 60_000, pin_max_failures: 1_000_000 }, options: { ip_limit: { window_ms: 60_000, max: 1_000_000 }, merchant_limit: { window_ms: 60_000, max: 1_000_000 } } });
    });
    after(async () => api?.close());

    it('holds the invariants over ~1,000 random moves from 16 workers', async () => {
      const { billing } = api.t;
      const CARDS = 4;
      const cards = await Promise.all(Array.from({ length: CARDS }, () => billing.issueCard({ value_minor: 3000, currency: 'USD' })));
      // mulberry32: a seeded generator whose low bits are as good as its high ones.
      let seed = kind === 'pg' ? 17 : 29;
      const rnd = (n: number) => {
        seed = (seed + 0x6d2b79f5) | 0;
        let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
        x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
        return ((x ^ (x >>> 14)) >>> 0) % n;
      };
      const m = { merchantCaptured: 0, refunded: 0, callCaptured: 0, adjusted: 0 };
      const codes = new Map<string, number>();
      const count = (c: string) => codes.set(c, (codes.get(c) ?? 0) + 1);
      const open: string[] = [];
      const captured: Array<{ id: string; left: number }> = [];
      const chunks: Array<{ id: string; amount: number }> = [];
      const byKey = new Map<string, { body: string; answers: string[] }>();
      let minAvailable = Infinity;
      const post = (path: string, body: unknown, key?: string): Promise<Answer> =>
        call(api.url, 'POST', path, { key: api.api_key, body, headers: key ? { 'idempotency-key': key } : {} });
      const fresh = (a: Answer) => a.headers.get('idempotent-replayed') !== 'true';

      const worker = async (w: number) => {
        for (let i = 0; i < 60; i++) {
          const card = cards[rnd(CARDS)]!;
          const op = rnd(100);
          if (op < 35) {
            // A new key, the replay of an earlier one (same request), or an earlier key with another request.
            // Only keys whose first request has been answered (else the "replay" could reach the database first).
            const keys = [...byKey.keys()].filter((k) => byKey.get(k)!.answers.length > 0);
            const reuse = keys.length > 0 && rnd(5) === 0 ? keys[rnd(keys.length)]! : undefined;
            const conflict = reuse !== undefined && rnd(4) === 0;
            const body = reuse && !conflict ? JSON.parse(byKey.get(reuse)!.body) as Record<string, unknown>
              : { card_number: card.number, pin: card.pin, amount: 1 + rnd(700), currency: 'USD', capture: rnd(3) === 0, ...(conflict ? { reference: 'different' } : {}) };
            const key = reuse ?? `w${w}-${i}`;
            if (!reuse) byKey.set(key, { body: JSON.stringify(body), answers: [] });
            const a = await post('/v1/authorizations', body, key);
            count(a.status === 201 ? `authorize:${fresh(a) ? 'ok' : 'replay'}` : `authorize:${a.body.error?.code}`);
            if (conflict) { expect(a.body.error?.code).to.equal('idempotency_conflict'); continue; }
            byKey.get(key)!.answers.push(JSON.stringify({ status: a.status, body: a.status === 201 ? a.body : a.body.error?.code }));
            if (a.status === 201 && fresh(a)) {
              minAvailable = Math.min(minAvailable, (a.body.card as { available: number }).available);
              if (a.body.status === 'captured') { m.merchantCaptured += Number(a.body.amount); captured.push({ id: String(a.body.id), left: Number(a.body.amount) }); } else open.push(String(a.body.id));
            }
          } else if (op < 50 && open.length) {
            const id = open.splice(rnd(open.length), 1)[0]!;
            const a = await post(`/v1/authorizations/${id}/capture`, rnd(2) ? { amount: 1 } : {});
            count(a.status === 200 ? 'capture:ok' : `capture:${a.body.error?.code}`);
            if (a.status === 200) { m.merchantCaptured += Number(a.body.captured_amount); captured.push({ id, left: Number(a.body.captured_amount) }); }
          } else if (op < 58 && open.length) {
            const id = open.splice(rnd(open.length), 1)[0]!;
            const a = await post(`/v1/authorizations/${id}/void`, {});
            count(a.status === 200 ? 'void:ok' : `void:${a.body.error?.code}`);
          } else if (op < 64 && captured.length) {
            const c = captured[rnd(captured.length)]!;
            if (c.left === 0) continue;
            const amount = 1 + rnd(c.left);
            c.left -= amount;
            const a = await post('/v1/refunds', { authorization_id: c.id, amount });
            count(a.status === 201 ? 'refund:ok' : `refund:${a.body.error?.code}`);
            if (a.status === 201) m.refunded += amount; else c.left += amount;
          } else if (op < 78) {
            // The IVR's chunk reservation: one statement when the card affords it, else the general transaction.
            const amount = 1 + rnd(300);
            const h = callChunkHold(`call-${w}-${i}`, amount, 'USD', 30_000, { from_s: 0, to_s: 60 });
            const one = billing.oneStatement();
            const done = one && (await reserveOrReadInOneStatement(one.q, one.now_ms, card.card_id, h, undefined));
            let hold = done && 'hold' in done ? done.hold : null;
            if (!hold) {
              const r = await billing.tx((ctx) => reserveCallChunk(ctx, `call-${w}-${i}`, card.card_id, amount, 'USD', 30_000, { from_s: 0, to_s: 60 }));
              hold = r.ok ? r.value : null;
            }
            count(hold ? 'chunk:reserved' : 'chunk:refused');
            if (hold) chunks.push({ id: hold.id, amount });
          } else if (op < 88 && chunks.length) {
            // The IVR's chunk capture (or release) as captureElapsed makes it.
            const c = chunks.splice(rnd(chunks.length), 1)[0]!;
            const take = rnd(3) === 0 ? 0 : 1 + rnd(c.amount);
            const one = billing.oneStatement();
            if (one && await settleCallChunkInOneStatement(one, c.id, take)) { m.callCaptured += take; count('chunk:settled-one'); continue; }
            const r = await billing.tx((ctx) => settleCallChunk(ctx, c.id, take));
            count(r.ok ? 'chunk:settled' : `chunk:${r.error.code}`);
            // A chunk expired before its capture is captured only if the money is still there.
            if (r.ok && take > 0 && r.value.status === 'captured') m.callCaptured += take;
          } else if (op < 94) {
            const amount = rnd(2) ? 1 + rnd(200) : -(1 + rnd(200));
            const r = await billing.tx((ctx) => adjustCard(ctx, card.card_id, amount, 'property test', 'test'));
            count(r.ok ? 'adjust:ok' : `adjust:${r.error.code}`);
            if (r.ok) m.adjusted += amount;
          } else if (op < 97) {
            api.t.clock.advance(rnd(40_000)); // some holds pass their expiry
          } else {
            await billing.sweep(50);
          }
        }
      };
      await Promise.all(Array.from({ length: 16 }, (_, w) => worker(w)));
      await billing.sweep(10_000);

      const q = billing.read().q;
      expect((await verifyLedger(q)).violations).to.deep.equal([]);
      const totals = await q.one<{ balance: number; negative: number }>('SELECT SUM(balance_minor) AS balance, SUM(CASE WHEN balance_minor < pending_minor THEN 1 ELSE 0 END) AS negative FROM cards');
      const sum = async (account: string) => Number((await q.one<{ t: number }>('SELECT COALESCE(SUM(amount_minor), 0) AS t FROM postings WHERE account = ?', [account]))?.t);
      expect(Number(totals?.negative)).to.equal(0);
      expect(Number(totals?.balance), JSON.stringify(Object.fromEntries(codes))).to.equal(CARDS * 3000 - m.merchantCaptured + m.refunded - m.callCaptured + m.adjusted);
      expect(await sum(`merchant:${api.merchant_id}:payable`)).to.equal(m.merchantCaptured - m.refunded);
      expect(await sum('telephony:revenue')).to.equal(m.callCaptured);
      expect(minAvailable).to.be.at.least(0);
      // Every request under one key got the first answer.
      for (const [k, v] of byKey) expect(new Set(v.answers).size, `answers under ${k}`).to.be.at.most(1);
      // The run exercised the interesting outcomes.
      expect(codes.get('authorize:ok') ?? 0).to.be.greaterThan(20);
      expect(codes.get('authorize:insufficient_funds') ?? 0, JSON.stringify([...codes])).to.be.greaterThan(0);
      expect(codes.get('authorize:replay') ?? 0, JSON.stringify([...codes])).to.be.greaterThan(0);
      expect(codes.get('authorize:idempotency_conflict') ?? 0, JSON.stringify([...codes])).to.be.greaterThan(0);
      if (kind === 'pg') expect(codes.get('chunk:settled-one') ?? 0).to.be.greaterThan(0);
    });
  });
}
