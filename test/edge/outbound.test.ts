import { expect } from 'chai';
import { answers } from '../doubles/drachtio/peers';
import type { ScriptedCaller, ScriptedUas } from '../doubles/drachtio/peers';
import { getHeader, userOf } from '../doubles/drachtio/sip-message';
import { carrier, FakeRouting } from './support/fake-routing';
import { EdgeHarness, sleep, until } from './support/edge-harness';

/**
 * Outbound (Asterisk node → edge → carriers) through the drachtio-server double with the REAL drachtio-srf:
 * serial failover per the SIP answer table, CANCEL, capacity, refusals, and what lands on the routing contract.
 */
describe('SIP edge: outbound least-cost routing through carriers', function () {
  this.timeout(20_000);
  let h: EdgeHarness;
  let routing: FakeRouting;
  let gw1: ScriptedUas;
  let gw2: ScriptedUas;
  let gw3: ScriptedUas;
  let node: ScriptedCaller;

  const C1 = carrier(1, 'alpha', 'sip:198.51.100.10:5060', { tech_prefix: '9901#', send_plus: false });
  const C2 = carrier(2, 'bravo', 'sip:198.51.100.20:5060', { send_plus: true });
  const C3 = carrier(3, 'charlie', 'sip:198.51.100.30', {});

  async function start(over: { carriers?: typeof C1[]; attemptTimeout_ms?: number; ringTimeout_ms?: number } = {}): Promise<void> {
    routing = new FakeRouting(over.carriers ?? [C1, C2, C3]);
    h = await new EdgeHarness({
      routing,
      config: (c) => ({ ...c, outbound: { ...c.outbound, attemptTimeout_ms: over.attemptTimeout_ms ?? c.outbound.attemptTimeout_ms, ringTimeout_ms: over.ringTimeout_ms ?? c.outbound.ringTimeout_ms } }),
    }).start();
    gw1 = h.uas('198.51.100.10', 5060);
    gw2 = h.uas('198.51.100.20', 5060);
    gw3 = h.uas('198.51.100.30', 5060);
    node = h.caller('10.0.0.5');
  }

  afterEach(async () => {
    await h?.stop();
  });

  const dial = (callId = 'c1a2b3', number = '447700900123') => node.call({ to: number, headers: [['X-Prepaid-Call-Id', callId]] });

  it('503 from the first carrier, 200 from the second: connected through the second, both attempts recorded', async () => {
    await start();
    gw1.opts.invite = answers.reject(503, { after_ms: 20 });
    gw2.opts.invite = answers.answer({ ring_ms: 10, answer_ms: 40 });
    const call = dial('call-503-200');
    const final = await call.finalResponse();
    expect(final.status).to.equal(200);
    expect(call.statuses()).to.include(180);
    expect(gw3.invites()).to.have.length(0);
    expect(routing.attempts.map((a) => [a.carrier_id, a.order, a.outcome, a.sip_status])).to.deep.equal([[1, 1, 'failed', 503], [2, 2, 'answered', 200]]);
    expect(routing.attempts.every((a) => a.call_id === 'call-503-200' && a.ended_at_ms >= a.started_at_ms)).to.equal(true);
    expect(routing.winners).to.deep.equal([{ call_id: 'call-503-200', carrier_id: 2 }]);
    // The tech prefix (escaped in the URI) and the '+' rule reach each carrier; the IVR's call id does not.
    expect(userOf(gw1.invites()[0]?.uri ?? '')).to.equal('9901%23447700900123');
    expect(userOf(gw2.invites()[0]?.uri ?? '')).to.equal('+447700900123');
    expect(getHeader(gw2.invites()[0] ?? { headers: [] }, 'X-Prepaid-Call-Id')).to.equal(undefined);
    // The media offer went through: the carrier got the caller's SDP, the caller the carrier's.
    expect(gw2.invites()[0]?.body).to.contain('o=sipp');
    expect(final.body).to.contain('o=far');
    // Hanging up the node's leg hangs up the carrier's.
    call.bye();
    await until(() => gw2.ended === 1, 3000, 'carrier leg BYE');
  });

  it('relays a re-INVITE (hold) and an INFO (DTMF) between the legs of a connected call', async () => {
    await start();
    gw1.opts.invite = answers.answer({ answer_ms: 10 });
    const call = dial('call-hold');
    expect((await call.finalResponse()).status).to.equal(200);
    call.request('INVITE', call.invite.body.replace('a=sendrecv', 'a=sendonly'));
    const held = await node.waitFor((m) => m.kind === 'response' && m.status >= 200 && getHeader(m, 'cseq') === '2 INVITE', 3000, '200 to the re-INVITE');
    expect(held.status).to.equal(200);
    expect(held.body).to.contain('a=recvonly');
    expect(gw1.requests('INVITE').at(-1)?.body).to.contain('a=sendonly');
    call.request('INFO', 'Signal=5\r\nDuration=160\r\n', 'application/dtmf-relay');
    const info = await node.waitFor((m) => m.kind === 'response' && getHeader(m, 'cseq') === '3 INFO', 3000, '200 to the INFO');
    expect(info.status).to.equal(200);
    expect(gw1.requests('INFO')[0]?.body).to.contain('Signal=5');
    // The carrier hangs up: the node's leg is hung up too.
    gw1.hangup();
    await call.whenEnded(3000);
  });

  it('486 from the first carrier stops at once: busy to the caller, no other carrier tried', async () => {
    await start();
    gw1.opts.invite = answers.reject(486, { after_ms: 10 });
    const final = await dial('call-486').finalResponse();
    expect(final.status).to.equal(486);
    await sleep(100);
    expect(gw2.invites()).to.have.length(0);
    expect(routing.attempts.map((a) => [a.carrier_id, a.outcome, a.sip_status])).to.deep.equal([[1, 'failed', 486]]);
    expect(routing.winners).to.deep.equal([]);
  });

  for (const status of [600, 603]) {
    it(`${status} (declined by the user) stops too`, async () => {
      await start();
      gw1.opts.invite = answers.reject(status, { after_ms: 10 });
      expect((await dial(`call-${status}`).finalResponse()).status).to.equal(status);
      expect(gw2.invites()).to.have.length(0);
    });
  }

  it('408 and 502 move on to the next carrier', async () => {
    await start();
    gw1.opts.invite = answers.reject(408, { after_ms: 10 });
    gw2.opts.invite = answers.reject(502, { after_ms: 10 });
    gw3.opts.invite = answers.answer({ answer_ms: 20 });
    expect((await dial('call-408').finalResponse()).status).to.equal(200);
    expect(routing.attempts.map((a) => [a.carrier_id, a.outcome, a.sip_status])).to.deep.equal([[1, 'failed', 408], [2, 'failed', 502], [3, 'answered', 200]]);
  });

  it('a silent carrier is abandoned after the attempt timeout, without waiting for drachtio\'s 32 s timer B', async () => {
    await start({ attemptTimeout_ms: 300 });
    gw1.opts.invite = answers.silent();
    gw2.opts.invite = answers.answer({ ring_ms: 0, answer_ms: 30 });
    const t0 = Date.now();
    const final = await dial('call-silent').finalResponse();
    expect(final.status).to.equal(200);
    expect(Date.now() - t0).to.be.below(3000);
    expect(routing.attempts.map((a) => [a.carrier_id, a.outcome, a.sip_status])).to.deep.equal([[1, 'timeout', null], [2, 'answered', 200]]);
    expect(gw1.requests('CANCEL')).to.have.length(0); // held by drachtio: no provisional response came (06c)
  });

  it('an abandoned carrier answering late is hung up at once; the call stays with the carrier that took it', async () => {
    await start({ attemptTimeout_ms: 300 });
    gw1.opts.invite = answers.answer({ trying: false, ring_ms: null, answer_ms: 800 }); // nothing, then a 200 long after the timeout
    gw2.opts.invite = answers.answer({ answer_ms: 20 });
    const call = dial('call-late');
    expect((await call.finalResponse()).status).to.equal(200);
    await until(() => gw1.requests('BYE').length === 1, 3000, 'late answer hung up');
    expect(call.ended).to.equal(false);
    expect(gw2.ended).to.equal(0);
    expect(routing.winners).to.deep.equal([{ call_id: 'call-late', carrier_id: 2 }]);
  });

  it('a carrier that only sends 100 Trying is CANCELed after the attempt timeout and the next one tried', async () => {
    await start({ attemptTimeout_ms: 300 });
    gw1.opts.invite = answers.trying();
    gw2.opts.invite = answers.answer({ answer_ms: 20 });
    expect((await dial('call-trying').finalResponse()).status).to.equal(200);
    await until(() => gw1.requests('CANCEL').length === 1, 2000, 'CANCEL at the first carrier');
    expect(routing.attempts.map((a) => a.outcome)).to.deep.equal(['timeout', 'answered']);
  });

  it('a carrier that rings past the ring timeout is cancelled and the caller told 480 (the callee did not answer): no failover', async () => {
    await start({ attemptTimeout_ms: 300, ringTimeout_ms: 400 });
    gw1.opts.invite = answers.ring(10);
    const final = await dial('call-ring-long').finalResponse();
    expect(final.status).to.equal(480);
    await until(() => gw1.requests('CANCEL').length === 1, 2000, 'CANCEL at the ringing carrier');
    expect(gw2.invites()).to.have.length(0);
    expect(routing.attempts.map((a) => [a.carrier_id, a.outcome, a.sip_status])).to.deep.equal([[1, 'timeout', null]]);
  });

  it('the caller\'s CANCEL cancels the attempt in progress, and nothing else is tried', async () => {
    await start();
    gw1.opts.invite = answers.ring(10);
    const call = dial('call-cancel');
    await node.waitFor((m) => m.kind === 'response' && m.status === 180, 3000, '180 relayed');
    call.cancel();
    expect((await call.finalResponse()).status).to.equal(487);
    await until(() => gw1.requests('CANCEL').length === 1, 3000, 'CANCEL relayed to the carrier');
    await until(() => routing.attempts.length === 1, 3000, 'attempt recorded');
    expect(routing.attempts.map((a) => [a.carrier_id, a.outcome, a.sip_status])).to.deep.equal([[1, 'cancelled', 487]]);
    await sleep(100);
    expect(gw2.invites()).to.have.length(0);
  });

  it('a full carrier (max_concurrent) is skipped and recorded as skipped_capacity', async () => {
    await start({ carriers: [{ ...C1, max_concurrent: 1 }, C2, C3] });
    gw1.opts.invite = answers.answer({ answer_ms: 10 });
    gw2.opts.invite = answers.answer({ answer_ms: 10 });
    const first = dial('call-full-1');
    expect((await first.finalResponse()).status).to.equal(200);
    const second = dial('call-full-2');
    expect((await second.finalResponse()).status).to.equal(200);
    const mine = routing.attempts.filter((a) => a.call_id === 'call-full-2').map((a) => [a.carrier_id, a.outcome, a.sip_status]);
    expect(mine).to.deep.equal([[1, 'skipped_capacity', null], [2, 'answered', 200]]);
    // When the first call ends, the carrier has room again.
    first.bye();
    await until(() => gw1.ended === 1, 3000, 'first call ended');
    await sleep(50);
    expect((await dial('call-full-3').finalResponse()).status).to.equal(200);
    expect(routing.winners.at(-1)).to.deep.equal({ call_id: 'call-full-3', carrier_id: 1 });
  });

  it('a carrier over its calls per second is skipped', async () => {
    await start({ carriers: [{ ...C1, cps: 1 }, C2] });
    gw1.opts.invite = answers.reject(503, { after_ms: 5 });
    gw2.opts.invite = answers.reject(503, { after_ms: 5 });
    await dial('call-cps-1').finalResponse();
    await dial('call-cps-2').finalResponse();
    expect(routing.attempts.filter((a) => a.call_id === 'call-cps-2').map((a) => [a.carrier_id, a.outcome])).to.deep.equal([[1, 'skipped_capacity'], [2, 'failed']]);
  });

  it('an INVITE from a source that is neither a node nor a carrier is refused 403', async () => {
    await start();
    const stranger = h.caller('203.0.113.99');
    const final = await stranger.call({ to: '447700900123', headers: [['X-Prepaid-Call-Id', 'x1']] }).finalResponse();
    expect(final.status).to.equal(403);
    expect(routing.rankCalls).to.equal(0);
    expect(gw1.invites()).to.have.length(0);
  });

  it('no route: 404 with a Q.850 "no route" reason (the IVR\'s "not available"); no call id: 403; bad number: 484', async () => {
    await start();
    routing.prefixes = { alpha: ['1'], bravo: ['1'], charlie: ['1'] };
    const noRoute = await dial('call-noroute', '447700900123').finalResponse();
    expect(noRoute.status).to.equal(404);
    expect(getHeader(noRoute, 'Reason')).to.contain('cause=3');
    expect((await node.call({ to: '447700900123' }).finalResponse()).status).to.equal(403);
    expect((await dial('call-bad', 'abc').finalResponse()).status).to.equal(484);
    expect(gw1.invites()).to.have.length(0);
  });

  it('fail safe: when the ranking cannot be read, or the winner cannot be recorded, no call is connected', async () => {
    await start();
    routing.failRank = true;
    expect((await dial('call-db-down').finalResponse()).status).to.equal(503);
    expect(gw1.invites()).to.have.length(0);
    routing.failRank = false;
    routing.failWinner = true;
    gw1.opts.invite = answers.answer({ answer_ms: 10 });
    expect((await dial('call-no-winner').finalResponse()).status).to.equal(503);
    // The carrier answered, and was hung up at once.
    await until(() => gw1.requests('BYE').length === 1, 3000, 'carrier leg hung up');
    expect(routing.winners).to.deep.equal([]);
  });

  it('counts attempts per carrier and active calls in /metrics', async () => {
    await start();
    gw1.opts.invite = answers.reject(503, { after_ms: 5 });
    gw2.opts.invite = answers.answer({ answer_ms: 10 });
    const call = dial('call-metrics');
    await call.finalResponse();
    await until(() => h.edge.status().connected, 1000, 'connected');
    await sleep(50);
    const text = await h.metricsText();
    expect(text).to.match(/prepaid_edge_carrier_attempts_total\{carrier="alpha",outcome="failed",status="503"\} 1/);
    expect(text).to.match(/prepaid_edge_carrier_attempts_total\{carrier="bravo",outcome="answered",status="200"\} 1/);
    expect(text).to.match(/prepaid_edge_carrier_active_calls\{carrier="bravo"\} 1/);
    expect(text).to.match(/prepaid_edge_drachtio_connected 1/);
    call.bye();
    await until(() => gw2.ended === 1, 3000, 'call ended');
    await sleep(50);
    expect(await h.metricsText()).to.match(/prepaid_edge_carrier_active_calls\{carrier="bravo"\} 0/);
  });
});
