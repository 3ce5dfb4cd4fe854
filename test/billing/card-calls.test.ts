import { expect } from 'chai';
import { cardCallId, claimCardCall, claimCardPlace, releaseCardCall, releaseNodeCardCalls, renewCardCalls } from '../../billing/calls/card-calls';
import type { CardCall, CardCallClaim } from '../../billing/calls/card-calls';
import type { PostgresDatabase } from '../../billing/store/sql/postgres';
import { createTestBilling, KINDS, requireKind } from '../support/databases';
import type { TestBilling } from '../support/databases';

const TTL = 120_000;

type Claim = (t: TestBilling, c: CardCall, o: { max_calls: number; ttl_ms: number; force?: boolean }) => Promise<CardCallClaim>;
/** The two ways a place is taken: the general transaction, and what a login calls (one statement on PostgreSQL first). */
const FORMS: ReadonlyArray<readonly [string, Claim]> = [
  ['in its transaction', (t, c, o) => t.billing.tx((ctx) => claimCardCall(ctx, c, o))],
  ['as a login takes it (claimCardPlace)', (t, c, o) => claimCardPlace(t.billing, c, o)],
];

/** The simultaneous-calls limit per card, in the database (what every IVR process shares). */
for (const kind of KINDS) for (const [form, claimWith] of FORMS) {
  describe(`card places for simultaneous calls (${kind}, ${form})`, function () {
    this.timeout(60_000);
    let t: TestBilling;
    before(async function () {
      await requireKind(this, kind);
      t = await createTestBilling(kind, {}, { poolSize: 8 });
    });
    after(async () => t?.close());

    const place = (card_id: number, node_id: string, channel_id: string): CardCall => ({ id: cardCallId(node_id, channel_id), card_id, node_id, channel_id });
    const claim = (c: CardCall, max_calls: number, force = false) => claimWith(t, c, { max_calls, ttl_ms: TTL, force });
    /** The card's places that count now (an expired one no longer does; the sweeper deletes it). */
    const count = async (card_id: number) => Number((await t.billing.db.one<{ n: number }>('SELECT COUNT(*) AS n FROM card_calls WHERE card_id = ? AND expires_at_ms > ?', [card_id, t.clock.ms]))?.n);

    it('takes up to max_calls places per card, across nodes; a freed place can be taken again; claiming again renews', async () => {
      const { card_id } = await t.billing.issueCard({ value_minor: 500, currency: 'USD' });
      const { card_id: other } = await t.billing.issueCard({ value_minor: 500, currency: 'USD' });
      expect(await claim(place(card_id, 'a', 'ch1'), 2)).to.deep.equal({ claimed: true });
      expect(await claim(place(card_id, 'b', 'ch1'), 2)).to.deep.equal({ claimed: true }); // same channel id on another Asterisk
      expect(await claim(place(card_id, 'a', 'ch2'), 2)).to.deep.equal({ claimed: false, in_use: 2 });
      expect(await claim(place(other, 'a', 'ch2'), 2)).to.deep.equal({ claimed: true }); // another card is not affected
      expect(await claim(place(card_id, 'a', 'ch1'), 2)).to.deep.equal({ claimed: true }); // its own place again
      await releaseCardCall(t.billing.db, cardCallId('b', 'ch1'));
      expect(await claim(place(card_id, 'a', 'ch3'), 2)).to.deep.equal({ claimed: true });
      expect(await count(card_id)).to.equal(2);
      // force: a call in progress is never refused, even over the limit.
      expect(await claim(place(card_id, 'c', 'ch9'), 2, true)).to.deep.equal({ claimed: true });
      expect(await count(card_id)).to.equal(3);
      // 0 = no limit.
      expect(await claim(place(card_id, 'c', 'ch10'), 0)).to.deep.equal({ claimed: true });
    });

    it('places expire unless renewed; a restarting node frees its own places only', async () => {
      const { card_id } = await t.billing.issueCard({ value_minor: 500, currency: 'USD' });
      expect(await claim(place(card_id, 'dead', 'x1'), 1)).to.deep.equal({ claimed: true });
      t.clock.advance(TTL - 1);
      expect(await claim(place(card_id, 'live', 'y1'), 1)).to.deep.equal({ claimed: false, in_use: 1 });
      t.clock.advance(1);
      expect(await claim(place(card_id, 'live', 'y1'), 1), 'the dead node\'s place expired').to.deep.equal({ claimed: true });

      t.clock.advance(TTL - 10);
      await t.billing.tx((ctx) => renewCardCalls(ctx.q, [cardCallId('live', 'y1')], ctx.now_ms, TTL));
      t.clock.advance(20);
      expect(await claim(place(card_id, 'other', 'z1'), 1), 'renewed in time: still in use').to.deep.equal({ claimed: false, in_use: 1 });

      const { card_id: c2 } = await t.billing.issueCard({ value_minor: 500, currency: 'USD' });
      await claim(place(c2, 'other', 'z2'), 1);
      expect(await releaseNodeCardCalls(t.billing.db, 'live')).to.equal(1);
      expect(await count(card_id)).to.equal(0);
      expect(await count(c2)).to.equal(1);
      t.clock.advance(TTL);
      expect((await t.billing.sweep()).expired_card_calls).to.be.at.least(1); // also the first test's places
      expect(await count(c2)).to.equal(0);
    });

    it('racing logins on several connections never take more places than the limit', async () => {
      const { card_id } = await t.billing.issueCard({ value_minor: 500, currency: 'USD' });
      const results = await Promise.all(Array.from({ length: 12 }, (_, i) => claim(place(card_id, `n${i % 3}`, `race${i}`), 2)));
      expect(results.filter((r) => r.claimed)).to.have.length(2);
      expect(await count(card_id)).to.equal(2);
    });

    if (kind === 'pg' && claimWith === FORMS[1]![1]) {
      const pgDb = () => t.billing.db as PostgresDatabase;

      it('on PostgreSQL a login takes its place in ONE group-committed statement, no transaction of its own', async () => {
        const { card_id } = await t.billing.issueCard({ value_minor: 500, currency: 'USD' });
        const tx0 = pgDb().stats.transactions;
        const st0 = pgDb().groupCommit!.stats.statements;
        expect(await claim(place(card_id, 'a', 'one1'), 1)).to.deep.equal({ claimed: true });
        expect(await claim(place(card_id, 'a', 'one2'), 1)).to.deep.equal({ claimed: false, in_use: 1 });
        expect(pgDb().stats.transactions - tx0).to.equal(0);
        expect(pgDb().groupCommit!.stats.statements - st0).to.equal(2);
      });

      it('while another transaction holds the card, the claim waits in its own transaction and counts what that one committed', async () => {
        const { card_id } = await t.billing.issueCard({ value_minor: 500, currency: 'USD' });
        const other = await pgDb().pool.connect();
        try {
          await other.query('BEGIN');
          // The row lock a spend takes (an UPDATE of the card): unlike FOR UPDATE, it does not block the
          // foreign-key check of an insert into card_calls, so only the claim's own lock can see it.
          await other.query('UPDATE cards SET pending_minor = pending_minor WHERE id = $1', [card_id]);
          await other.query('INSERT INTO card_calls (id, card_id, node_id, channel_id, started_at_ms, expires_at_ms) VALUES ($1, $2, $3, $4, $5, $6)',
            [cardCallId('b', 'held'), card_id, 'b', 'held', t.clock.ms, t.clock.ms + TTL]);
          const tx0 = pgDb().stats.transactions;
          let settled = false;
          const racing = claim(place(card_id, 'a', 'waits'), 1).finally(() => { settled = true; });
          await new Promise((r) => setTimeout(r, 400)); // past the group commit's lock_timeout: the function must not have waited
          expect(settled, 'the claim waits for the lock').to.equal(false);
          await other.query('COMMIT');
          expect(await racing).to.deep.equal({ claimed: false, in_use: 1 });
          expect(pgDb().stats.transactions - tx0, 'decided by the general transaction').to.equal(1);
        } finally {
          await other.query('ROLLBACK').catch(() => undefined);
          other.release();
        }
      });
    }
  });
}
