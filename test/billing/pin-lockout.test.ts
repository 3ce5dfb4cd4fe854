import { expect } from 'chai';
import { authenticateCard, lockoutDurationMs } from '../../billing/cards/card-auth';
import { unlockCardPin } from '../../billing/cards/card-admin';
import { cardById } from '../../billing/cards/card-rows';
import { createHold } from '../../billing/holds/hold-engine';
import { DEFAULT_POLICY } from '../../billing/shared/context';
import { createTestBilling, KINDS, requireKind } from '../support/databases';
import type { TestBilling } from '../support/databases';

const MIN = 60_000;
const code = (r: { ok: boolean; error?: { code: string } }) => (r.ok ? 'ok' : r.error!.code);
const wrongPin = (pin: string) => (pin === '0000' ? '1111' : '0000');

describe('PIN lockout durations (pure)', () => {
  it('double from the first lockout and stop at the cap', () => {
    const p = { ...DEFAULT_POLICY, pin_lock_ms: 30 * MIN, pin_lock_max_ms: 240 * MIN };
    expect([1, 2, 3, 4, 5, 6, 1000].map((n) => lockoutDurationMs(p, n) / MIN)).to.deep.equal([30, 60, 120, 240, 240, 240, 240]);
  });
});

/**
 * A known card number can no longer be tried pin_max_failures times every lock period forever:
 * each lockout lasts twice as long as the one before (capped), the pin_max_lockouts-th one lasts
 * until an operator unlocks the card, and a correct PIN resets the counters.
 */
for (const kind of KINDS) {
  describe(`PIN lockout escalation (${kind})`, function () {
    this.timeout(60_000);
    let t: TestBilling;
    before(async function () {
      await requireKind(this, kind);
      t = await createTestBilling(kind, { pin_max_failures: 3, pin_lock_ms: 10 * MIN, pin_lock_max_ms: 30 * MIN, pin_max_lockouts: 4 });
    });
    after(async () => t?.close());

    const attempt = (number: string, pin: string) => t.billing.tx((ctx) => authenticateCard(ctx, number, pin));
    /** Wrong PINs until the card locks; returns the lock's end (or null when locked until unlocked). */
    async function lockOut(c: { number: string; pin: string; card_id: number }): Promise<number | null> {
      for (let i = 0; i < 3; i++) expect(code(await attempt(c.number, wrongPin(c.pin)))).to.equal('invalid_card_credentials');
      const r = await attempt(c.number, c.pin);
      expect(code(r)).to.equal('card_locked');
      return r.ok ? null : (r.error.details?.locked_until_ms as number | null);
    }

    it('each lockout lasts twice the one before, capped; the 4th lasts until an operator unlocks', async () => {
      const c = await t.billing.issueCard({ value_minor: 1000, currency: 'USD' });
      const lengths: number[] = [];
      for (let n = 1; n <= 3; n++) {
        const until = await lockOut(c);
        expect(until).to.be.a('number');
        lengths.push(((until as number) - t.clock.ms) / MIN);
        t.clock.advance((until as number) - t.clock.ms - 1);
        expect(code(await attempt(c.number, c.pin)), 'still locked 1 ms before the end').to.equal('card_locked');
        t.clock.advance(2);
      }
      expect(lengths).to.deep.equal([10, 20, 30]);
      expect((await cardById(t.billing.db, c.card_id))?.pin_lockouts).to.equal(3);

      for (let i = 0; i < 3; i++) await attempt(c.number, wrongPin(c.pin));
      const locked = await attempt(c.number, c.pin);
      expect(code(locked)).to.equal('card_locked');
      expect(locked.ok ? null : locked.error.details).to.deep.equal({ locked_until_ms: null, until_unlocked: true });
      expect(locked.ok ? '' : locked.error.message).to.contain('until the card issuer unlocks it');
      t.clock.advance(365 * 24 * 60 * MIN);
      expect(code(await attempt(c.number, c.pin)), 'a year later').to.equal('card_locked');
      const row = await cardById(t.billing.db, c.card_id);
      expect(row?.pin_blocked_at_ms).to.be.a('number');
      expect(row?.pin_lockouts).to.equal(4);

      // Locked until unlocked means unspendable by every path (PIN-less phone login, holds).
      const hold = await t.billing.tx(async (ctx) => createHold(ctx, (await cardById(ctx.q, c.card_id, true))!, {
        kind: 'merchant', merchant_id: null, amount_minor: 100, currency: 'USD', ttl_ms: MIN, reference: null, description: null, id_prefix: 'auth',
      }));
      expect(code(hold)).to.equal('card_locked');

      const unlocked = await t.billing.tx((ctx) => unlockCardPin(ctx, c.card_id));
      expect(unlocked.ok && unlocked.value.changed).to.equal(true);
      expect(unlocked.ok && unlocked.value.was.pin_lockouts).to.equal(4);
      expect(code(await attempt(c.number, c.pin))).to.equal('ok');
      // Unlocking starts afresh: the next lockout is the first again.
      const until = await lockOut(c);
      expect(((until as number) - t.clock.ms) / MIN).to.equal(10);
    });

    it('a correct PIN resets both counters: the next lockout is the first again', async () => {
      const c = await t.billing.issueCard({ value_minor: 1000, currency: 'USD' });
      for (let n = 0; n < 2; n++) {
        const until = await lockOut(c);
        t.clock.advance((until as number) - t.clock.ms + 1);
      }
      expect((await cardById(t.billing.db, c.card_id))?.pin_lockouts).to.equal(2);
      expect(code(await attempt(c.number, wrongPin(c.pin)))).to.equal('invalid_card_credentials');
      expect(code(await attempt(c.number, c.pin))).to.equal('ok');
      const row = await cardById(t.billing.db, c.card_id);
      expect([row?.pin_failures, row?.pin_lockouts, row?.locked_until_ms]).to.deep.equal([0, 0, null]);
      const until = await lockOut(c);
      expect(((until as number) - t.clock.ms) / MIN).to.equal(10);
    });

    it('unlock of a card with nothing to clear changes nothing', async () => {
      const c = await t.billing.issueCard({ value_minor: 1000, currency: 'USD' });
      const r = await t.billing.tx((ctx) => unlockCardPin(ctx, c.card_id));
      expect(r.ok && r.value.changed).to.equal(false);
      expect(code(await t.billing.tx((ctx) => unlockCardPin(ctx, 987_654_321)))).to.equal('not_found');
    });
  });

  describe(`PIN lockout with pin_max_lockouts = 0: timed lockouts only (${kind})`, function () {
    this.timeout(60_000);
    let t: TestBilling;
    before(async function () {
      await requireKind(this, kind);
      t = await createTestBilling(kind, { pin_max_failures: 2, pin_lock_ms: MIN, pin_lock_max_ms: 4 * MIN, pin_max_lockouts: 0 });
    });
    after(async () => t?.close());

    it('never locks until unlocked, and the lockouts stay at the cap', async () => {
      const c = await t.billing.issueCard({ value_minor: 1000, currency: 'USD' });
      const lengths: number[] = [];
      for (let n = 0; n < 6; n++) {
        for (let i = 0; i < 2; i++) await t.billing.tx((ctx) => authenticateCard(ctx, c.number, wrongPin(c.pin)));
        const r = await t.billing.tx((ctx) => authenticateCard(ctx, c.number, c.pin));
        const until = r.ok ? 0 : (r.error.details?.locked_until_ms as number);
        lengths.push((until - t.clock.ms) / MIN);
        t.clock.advance(until - t.clock.ms + 1);
      }
      expect(lengths).to.deep.equal([1, 2, 4, 4, 4, 4]);
      expect((await cardById(t.billing.db, c.card_id))?.pin_blocked_at_ms).to.equal(null);
    });
  });
}
