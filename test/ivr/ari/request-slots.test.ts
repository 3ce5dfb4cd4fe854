import { expect } from 'chai';
import { Registry } from 'prom-client';
import { promAriMetrics } from '../../../ivr/ari-metrics-prom';
import { isAriError } from '../../../ivr/ari/errors';
import { RequestSlots } from '../../../ivr/ari/request-slots';
import { sleep, startRig } from './harness';

describe('ARI requests in flight, under Asterisk\'s HTTP session limit', () => {
  it('150 snapshots at once (450 requests) all answered; never more than 50 request connections open on a 100-session Asterisk', async () => {
    const rig = await startRig({ sessionLimit: 100 });
    try {
      const snapshots = await Promise.all(Array.from({ length: 150 }, () => rig.tel.snapshot()));
      expect(snapshots).to.have.length(150);
      const sessions = rig.sim.httpSessions();
      expect(sessions.refused).to.equal(0);
      // 50 requests, the event WebSocket, and the connect's preflight fetch (kept alive by undici).
      expect(sessions.peak).to.be.at.most(52);
    } finally {
      await rig.stop();
    }
  });

  it('while Asterisk does not answer, 50 requests are out and the rest queue; the gauges on /metrics say so; all are answered once it does', async () => {
    const rig = await startRig({ sessionLimit: 100 });
    try {
      const registry = new Registry();
      promAriMetrics(registry, rig.tel);
      rig.sim.pauseHttp();
      const pending = Promise.all(Array.from({ length: 60 }, () => rig.tel.snapshot()));
      await sleep(50);
      expect(rig.tel.requestSlots()).to.deep.equal({ inFlight: 50, queued: 130, max: 50 });
      const text = await registry.metrics();
      expect(text).to.match(/^prepaid_ari_requests_in_flight 50$/m);
      expect(text).to.match(/^prepaid_ari_requests_queued 130$/m);
      expect(text).to.match(/^prepaid_ari_requests_max 50$/m);
      rig.sim.resumeHttp();
      expect(await pending).to.have.length(60);
      expect(rig.tel.requestSlots()).to.deep.equal({ inFlight: 0, queued: 0, max: 50 });
    } finally {
      rig.sim.resumeHttp();
      await rig.stop();
    }
  });

  it('without the bound, the connections beyond the limit are closed unanswered and their requests time out (what the bound prevents)', async () => {
    const rig = await startRig({ sessionLimit: 100 }, { maxRequestsInFlight: 1000, restTimeout_ms: 1000 });
    try {
      const results = await Promise.allSettled(Array.from({ length: 150 }, () => rig.tel.snapshot()));
      const timedOut = results.filter((r) => r.status === 'rejected' && isAriError(r.reason, 'ari_timeout'));
      expect(rig.sim.httpSessions().refused).to.be.greaterThan(0);
      expect(timedOut.length).to.be.greaterThan(0);
    } finally {
      await rig.stop();
    }
  });
});

describe('RequestSlots', () => {
  it('sends at most `max` at once, the rest in arrival order as answers come back', async () => {
    const slots = new RequestSlots(2);
    const sent: number[] = [];
    const answer: Array<() => void> = [];
    const calls = [1, 2, 3, 4].map((n) => slots.run(() => { sent.push(n); return new Promise<number>((r) => answer.push(() => r(n))); }, 1000, `op${n}`));
    expect(sent).to.deep.equal([1, 2]);
    expect(slots.queued).to.equal(2);
    answer[1]!();
    await sleep(0);
    expect(sent).to.deep.equal([1, 2, 3]);
    answer[0]!();
    await sleep(0);
    expect(sent).to.deep.equal([1, 2, 3, 4]);
    answer[2]!();
    answer[3]!();
    expect(await Promise.all(calls)).to.deep.equal([1, 2, 3, 4]);
    expect(slots.inFlight).to.equal(0);
  });

  it('a request still queued at its deadline is never sent; one sent and never answered gives its slot back at the deadline', async () => {
    const slots = new RequestSlots(1);
    const sent: string[] = [];
    const never = slots.run(() => { sent.push('hangs'); return new Promise<never>(() => {}); }, 100, 'hangs');
    const late = slots.run(() => { sent.push('late'); return Promise.resolve('late'); }, 50, 'late');
    const after = slots.run(() => { sent.push('after'); return Promise.resolve('after'); }, 1000, 'after');
    const lateErr = await late.catch((e: unknown) => e);
    expect(isAriError(lateErr, 'ari_timeout')).to.equal(true);
    expect((lateErr as Error).message).to.match(/late: not sent within 50 ms/);
    const neverErr = await never.catch((e: unknown) => e);
    expect((neverErr as Error).message).to.equal('hangs: no answer within 100 ms');
    expect(await after).to.equal('after');
    expect(sent).to.deep.equal(['hangs', 'after']);
    expect(slots.inFlight).to.equal(0);
  });

  it('a send that throws rejects its caller and frees its slot', async () => {
    const slots = new RequestSlots(1);
    const err = await slots.run(() => { throw new Error('boom'); }, 1000, 'x').catch((e: unknown) => e);
    expect((err as Error).message).to.equal('boom');
    expect(await slots.run(() => Promise.resolve(1), 1000, 'y')).to.equal(1);
  });

  it('refuses a bound below one', () => {
    expect(() => new RequestSlots(0)).to.throw(RangeError);
  });
});
