import { expect } from 'chai';
import type { Rate } from '../../billing/rating/rate';
import { billedSeconds, maxAffordableSeconds, priceBilledSeconds, RATE_SCALE, rateCall } from '../../billing/rating/rate';

const rate = (over: Partial<Rate> = {}): Rate => ({
  prefix: '44', destination: 'UK', rate_per_minute_scaled: 10 * RATE_SCALE, connect_fee_minor: 0,
  initial_increment_s: 60, increment_s: 60, min_charge_minor: 0, blocked: false, ...over,
});

describe('rating', () => {
  describe('billed seconds by increments', () => {
    const rows: Array<[string, Partial<Rate>, number, number]> = [
      ['60/60, 0 s (zero-length call)', {}, 0, 0],
      ['60/60, 1 s', {}, 1, 60],
      ['60/60, 60 s', {}, 60, 60],
      ['60/60, 61 s', {}, 61, 120],
      ['30/6, 5 s (sub-increment)', { initial_increment_s: 30, increment_s: 6 }, 5, 30],
      ['30/6, 31 s', { initial_increment_s: 30, increment_s: 6 }, 31, 36],
      ['30/6, 36 s', { initial_increment_s: 30, increment_s: 6 }, 36, 36],
      ['1/1, 37 s', { initial_increment_s: 1, increment_s: 1 }, 37, 37],
      ['1/1, 0.2 s rounds up', { initial_increment_s: 1, increment_s: 1 }, 0.2, 1],
    ];
    for (const [name, r, duration, billed] of rows) it(name, () => expect(billedSeconds(rate(r), duration)).to.equal(billed));
  });

  describe('price: one rounding point, connect fee, minimum charge', () => {
    const rows: Array<[string, Partial<Rate>, number, number]> = [
      ['10c/min, 60 s', {}, 60, 10],
      ['10c/min, 61 s at 60/60 → 2 minutes', {}, 61, 20],
      ['1.25c/min at 1/1 for 30 s → 0.625c rounds up once to 1c', { rate_per_minute_scaled: 12_500, initial_increment_s: 1, increment_s: 1 }, 30, 1],
      ['1.25c/min at 1/1 for 96 s → 2.0c exactly', { rate_per_minute_scaled: 12_500, initial_increment_s: 1, increment_s: 1 }, 96, 2],
      ['1.25c/min at 1/1 for 97 s → 2.02c rounds up to 3c (summed exactly, rounded once)', { rate_per_minute_scaled: 12_500, initial_increment_s: 1, increment_s: 1 }, 97, 3],
      ['connect fee added to the first minute', { connect_fee_minor: 25 }, 10, 35],
      ['minimum charge applies', { min_charge_minor: 50 }, 10, 50],
      ['minimum charge below the price has no effect', { min_charge_minor: 5 }, 180, 30],
      ['zero-length call costs nothing, not even the connect fee', { connect_fee_minor: 25, min_charge_minor: 50 }, 0, 0],
      ['free destination', { rate_per_minute_scaled: 0 }, 600, 0],
    ];
    for (const [name, r, duration, cost] of rows) it(name, () => expect(rateCall(rate(r), duration).cost_minor).to.equal(cost));
  });

  describe('maximum affordable duration from the AVAILABLE balance', () => {
    const rows: Array<[string, Partial<Rate>, number, number]> = [
      ['exactly one minute of money at 60/60', {}, 10, 60],
      ['one cent short of the first minute → no call', {}, 9, 0],
      ['connect fee counts: 10c/min + 25c fee with 34c → no call (peers forget this)', { connect_fee_minor: 25 }, 34, 0],
      ['connect fee counts: 35c → one minute', { connect_fee_minor: 25 }, 35, 60],
      ['initial increment counts: 30/6 at 60c/min needs 30c first', { rate_per_minute_scaled: 60 * RATE_SCALE, initial_increment_s: 30, increment_s: 6 }, 29, 0],
      ['30/6 at 60c/min with 42c → 42 s (30 + 2×6)', { rate_per_minute_scaled: 60 * RATE_SCALE, initial_increment_s: 30, increment_s: 6 }, 42, 42],
      ['30/6 at 60c/min with 47c → still 42 s (next block costs 6c)', { rate_per_minute_scaled: 60 * RATE_SCALE, initial_increment_s: 30, increment_s: 6 }, 47, 42],
      ['minimum charge counts', { min_charge_minor: 100 }, 99, 0],
      ['minimum charge then per minute', { min_charge_minor: 100 }, 100, 600],
      ['blocked destination → 0', { blocked: true }, 1_000_000, 0],
      ['zero available → 0', {}, 0, 0],
      ['free destination is capped at 24 h', { rate_per_minute_scaled: 0 }, 1, 86_400],
    ];
    for (const [name, r, available, seconds] of rows) it(name, () => expect(maxAffordableSeconds(rate(r), available)).to.equal(seconds));

    it('never authorises a call whose cost exceeds the available money (property over many rates and balances)', () => {
      let seed = 42;
      const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
      for (let i = 0; i < 5000; i++) {
        const r = rate({
          rate_per_minute_scaled: rnd(500_000), connect_fee_minor: rnd(50), min_charge_minor: rnd(80),
          initial_increment_s: [1, 6, 30, 60][rnd(4)] ?? 60, increment_s: [1, 6, 30, 60][rnd(4)] ?? 60,
        });
        const available = rnd(20_000);
        const max = maxAffordableSeconds(r, available);
        if (max > 0) {
          expect(rateCall(r, max).cost_minor, `rate ${JSON.stringify(r)} available ${available}`).to.be.at.most(available);
          expect(billedSeconds(r, max)).to.equal(max);
          // One more increment is no longer affordable (or the cap was reached).
          if (max + r.increment_s <= 86_400) expect(priceBilledSeconds(r, max + r.increment_s)).to.be.greaterThan(available);
        } else {
          expect(priceBilledSeconds(r, r.initial_increment_s)).to.be.greaterThan(available);
        }
      }
    });
  });
});
