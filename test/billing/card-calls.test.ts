import { expect } from 'chai';
import { cardCallId, claimCardCall, releaseCardCall, releaseNodeCardCalls, renewCardCalls } from '../../billing/calls/card-calls';
import type { CardCall } from '../../billing/calls/card-calls';
import { createTestBilling, KINDS, requireKind } from '../support/databases';
import type { TestBilling } from '../support/databases';

const TTL = 120_000;

/** The simultaneous-calls limit per card, in the database (what every IVR process shares). */
for (const kind of KINDS) {
  describe(`card places for simultaneous calls (${kind})`, function () {
    this.timeout(60_000);
    let t: TestBilling;
    before(async function () {
      await requireKind(this, kind);
      t = await createTestBilling(kind, {}, { poolSize: 8 });
    });
    after(async () => t?.close());

    const place = (card_id: number, node_id: string, channel_id: string): CardCall => ({ id: cardCallId(node_id, channel_id), card_id, node_id, channel_id });
    const claim = (c: CardCall, max_calls: number, force = false) => t.billing.tx((ctx) => claimCardCall(ctx, c, { max_calls, ttl_ms: TTL, force }));
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
  });
}
