import { expect } from 'chai';
import { admitAll, CallLimiter, stricter } from '../../../edge/core/call-limiter';

describe('CallLimiter: calls per second and concurrent calls', () => {
  it('lets `cps` calls start in a second, then refills continuously', () => {
    const l = new CallLimiter({ cps: 2, concurrent: null });
    expect(l.check(1000)).to.equal(undefined); l.start()();
    expect(l.check(1000)).to.equal(undefined); l.start()();
    expect(l.check(1000)).to.equal('cps');
    expect(l.check(1499)).to.equal('cps');
    expect(l.check(1500)).to.equal(undefined); // half a second = one token at 2 cps
  });

  it('handles fractional rates (0.5 = one call every 2 s)', () => {
    const l = new CallLimiter({ cps: 0.5, concurrent: null });
    expect(l.check(0)).to.equal(undefined); l.start();
    expect(l.check(1999)).to.equal('cps');
    expect(l.check(2000)).to.equal(undefined);
  });

  it('counts concurrent calls until released (release is idempotent)', () => {
    const l = new CallLimiter({ cps: null, concurrent: 1 });
    const release = l.start();
    expect(l.check(0)).to.equal('concurrent');
    release();
    release();
    expect(l.activeCalls).to.equal(0);
    expect(l.check(0)).to.equal(undefined);
  });

  it('admitAll counts nothing when any limiter refuses', () => {
    const a = new CallLimiter({ cps: null, concurrent: 5 });
    const b = new CallLimiter({ cps: null, concurrent: 0 });
    const r = admitAll([a, b], 0);
    expect(r).to.deep.include({ ok: false, refusedBy: 'concurrent', index: 1 });
    expect(a.activeCalls).to.equal(0);
  });

  it('new limits apply at once, the bucket capped to the new size', () => {
    const l = new CallLimiter({ cps: 10, concurrent: null });
    l.setLimits({ cps: 1, concurrent: null });
    expect(l.check(0)).to.equal(undefined); l.start();
    expect(l.check(0)).to.equal('cps');
  });

  it('stricter() treats null as unlimited', () => {
    expect(stricter(null, 3)).to.equal(3);
    expect(stricter(2, null)).to.equal(2);
    expect(stricter(2, 3)).to.equal(2);
    expect(stricter(null, null)).to.equal(null);
  });
});
