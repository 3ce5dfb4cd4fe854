import { expect } from 'chai';
import { answers } from '../doubles/drachtio/peers';
import type { CallHandle, ScriptedCaller, ScriptedUas } from '../doubles/drachtio/peers';
import { getHeader, userOf } from '../doubles/drachtio/sip-message';
import type { EdgeConfig } from '../../edge/edge-config';
import { carrier, FakeRouting } from './support/fake-routing';
import { EdgeHarness, sleep, until } from './support/edge-harness';

/**
 * Inbound (carrier → edge → Asterisk nodes) through the drachtio-server double with the REAL drachtio-srf:
 * source checks, admission limits, spreading over healthy nodes, OPTIONS health checks, failover.
 */
describe('SIP edge: inbound calls to the Asterisk nodes', function () {
  this.timeout(20_000);
  let h: EdgeHarness;
  let routing: FakeRouting;
  let n1: ScriptedUas;
  let n2: ScriptedUas;
  let trunk: ScriptedCaller;

  const CARRIER = carrier(7, 'delta', 'sip:198.51.100.70:5060', { sources: ['198.51.100.64/28', '2001:db8:70::/48'] });

  async function start(config: (c: EdgeConfig) => EdgeConfig = (c) => c, carriers = [CARRIER]): Promise<void> {
    routing = new FakeRouting(carriers);
    h = await new EdgeHarness({ routing, config }).start();
    n1 = h.uas('10.0.0.5', 5060, { invite: answers.answer({ ring_ms: 0, answer_ms: 10 }) });
    n2 = h.uas('10.0.0.6', 5060, { invite: answers.answer({ ring_ms: 0, answer_ms: 10 }) });
    trunk = h.caller('198.51.100.70', 5060);
  }

  afterEach(async () => {
    await h?.stop();
  });

  const nodeUp = (name: string) => h.edge.status().nodes.find((n) => n.name === name)?.up;

  it('spreads calls over two nodes (least active calls first)', async () => {
    await start();
    const calls: CallHandle[] = [];
    for (let i = 0; i < 4; i++) {
      const c = trunk.call({ to: '18005550100', from_user: `1202555010${i}` });
      expect((await c.finalResponse()).status).to.equal(200);
      calls.push(c);
    }
    expect(n1.invites()).to.have.length(2);
    expect(n2.invites()).to.have.length(2);
    // The access number dialled reaches the node as the Request-URI user.
    expect(userOf(n1.invites()[0]?.uri ?? '')).to.equal('18005550100');
    expect(h.edge.status().nodes.map((n) => n.active)).to.deep.equal([2, 2]);
    for (const c of calls) c.bye();
    await until(() => n1.ended + n2.ended === 4, 3000, 'calls ended');
    await until(() => h.edge.status().nodes.every((n) => n.active === 0), 3000, 'load released');
  });

  it('weights: a weight-2 node takes twice the calls', async () => {
    await start((c) => ({ ...c, nodes: [{ host: '10.0.0.5', port: 5060, weight: 2 }, { host: '10.0.0.6', port: 5060, weight: 1 }] }));
    for (let i = 0; i < 6; i++) expect((await trunk.call({ to: '18005550100' }).finalResponse()).status).to.equal(200);
    expect([n1.invites().length, n2.invites().length]).to.deep.equal([4, 2]);
  });

  it('a dead node is skipped within a few seconds and taken back when it answers OPTIONS again', async () => {
    await start();
    await until(() => n1.requests('OPTIONS').length > 0 && n2.requests('OPTIONS').length > 0, 3000, 'OPTIONS probes');
    n2.stop(); // nothing listens any more: the probes get drachtio's local 503
    const t0 = Date.now();
    await until(() => nodeUp('10.0.0.6:5060') === false, 3000, 'node 2 out of service');
    expect(Date.now() - t0).to.be.below(3000);
    for (let i = 0; i < 3; i++) expect((await trunk.call({ to: '18005550100' }).finalResponse()).status).to.equal(200);
    expect(n1.invites()).to.have.length(3);
    expect(await h.metricsText()).to.match(/prepaid_edge_node_up\{node="10.0.0.6:5060"\} 0/);
    n2.start();
    await until(() => nodeUp('10.0.0.6:5060') === true, 3000, 'node 2 back');
    expect((await trunk.call({ to: '18005550100' }).finalResponse()).status).to.equal(200);
    expect(n2.invites()).to.have.length(1);
  });

  it('a node that stops answering OPTIONS (silent, not refused) is taken out after the probe timeout', async () => {
    await start();
    await until(() => n2.requests('OPTIONS').length > 0, 3000, 'OPTIONS probes');
    n2.opts.options = 'silent';
    await until(() => nodeUp('10.0.0.6:5060') === false, 3000, 'silent node out of service');
    n2.opts.options = 200;
    await until(() => nodeUp('10.0.0.6:5060') === true, 3000, 'node back');
  });

  it('a node failing the INVITE (503) is failed over to the next node', async () => {
    await start();
    n1.opts.invite = answers.reject(503, { after_ms: 5 });
    n2.opts.invite = answers.reject(503, { after_ms: 5 });
    const first = await trunk.call({ to: '18005550100' }).finalResponse();
    expect(first.status).to.equal(503);
    expect(n1.invites().length + n2.invites().length).to.equal(2);
    n1.opts.invite = answers.reject(503, { after_ms: 5 });
    n2.opts.invite = answers.answer({ answer_ms: 5 });
    expect((await trunk.call({ to: '18005550100' }).finalResponse()).status).to.equal(200);
  });

  it('a node that does not answer the INVITE in time is abandoned for the next', async () => {
    await start();
    n1.opts.invite = answers.silent();
    n2.opts.invite = answers.silent();
    const t0 = Date.now();
    const first = await trunk.call({ to: '18005550100' }).finalResponse();
    expect(first.status).to.equal(503);
    expect(Date.now() - t0).to.be.below(3000); // two attempt timeouts (500 ms each), not drachtio's 32 s
    expect(n1.invites().length + n2.invites().length).to.equal(2);
  });

  it('a busy answer from a node is passed back, not failed over', async () => {
    await start();
    n1.opts.invite = answers.reject(486, { after_ms: 5 });
    n2.opts.invite = answers.reject(486, { after_ms: 5 });
    expect((await trunk.call({ to: '18005550100' }).finalResponse()).status).to.equal(486);
    expect(n1.invites().length + n2.invites().length).to.equal(1);
  });

  it('calls per second over the limit are answered 503 with Retry-After', async () => {
    await start((c) => ({ ...c, inbound: { ...c.inbound, perSourceCps: 2, retryAfter_s: 7 } }));
    const finals = [];
    for (let i = 0; i < 4; i++) finals.push(await trunk.call({ to: '18005550100' }).finalResponse());
    expect(finals.map((f) => f.status)).to.deep.equal([200, 200, 503, 503]);
    expect(getHeader(finals[2] ?? { headers: [] }, 'Retry-After')).to.equal('7');
    expect(n1.invites().length + n2.invites().length).to.equal(2);
    expect(await h.metricsText()).to.match(/prepaid_edge_refused_total\{direction="inbound",reason="over_source_cps",status="503"\} 2/);
    await sleep(1100); // the bucket refills
    expect((await trunk.call({ to: '18005550100' }).finalResponse()).status).to.equal(200);
  });

  it('concurrent calls over the global limit are answered 503', async () => {
    await start((c) => ({ ...c, inbound: { ...c.inbound, maxConcurrent: 1 } }));
    const up = trunk.call({ to: '18005550100' });
    expect((await up.finalResponse()).status).to.equal(200);
    expect((await trunk.call({ to: '18005550100' }).finalResponse()).status).to.equal(503);
    up.bye();
    await until(() => n1.ended + n2.ended === 1, 3000, 'first call ended');
    await sleep(50);
    expect((await trunk.call({ to: '18005550100' }).finalResponse()).status).to.equal(200);
  });

  it('a carrier\'s own cps applies when stricter than the edge\'s', async () => {
    await start((c) => c, [{ ...CARRIER, cps: 1 }]);
    expect((await trunk.call({ to: '18005550100' }).finalResponse()).status).to.equal(200);
    expect((await trunk.call({ to: '18005550100' }).finalResponse()).status).to.equal(503);
  });

  it('unknown sources get 403; REGISTER is refused; OPTIONS from a carrier get 200', async () => {
    await start();
    const stranger = h.caller('203.0.113.99', 5060);
    expect((await stranger.call({ to: '18005550100' }).finalResponse()).status).to.equal(403);
    expect((await stranger.request('OPTIONS')).status).to.equal(403);
    expect((await stranger.request('REGISTER', { user: 'alice', headers: [['Expires', '600']] })).status).to.equal(403);
    expect((await trunk.request('OPTIONS')).status).to.equal(200);
    const reg = await trunk.request('REGISTER', { user: 'alice', headers: [['Expires', '600']] });
    expect(reg.status).to.equal(405);
    expect(getHeader(reg, 'Allow')).to.contain('INVITE');
    expect(n1.invites().length + n2.invites().length).to.equal(0);
  });

  it('a carrier source given as an IPv6 CIDR is recognised; a disabled carrier is refused', async () => {
    await start((c) => c, [CARRIER, carrier(8, 'echo', 'sip:198.51.100.80', { sources: ['198.51.100.80'], enabled: false })]);
    const v6 = h.caller('2001:db8:70::15', 5060);
    expect((await v6.call({ to: '18005550100' }).finalResponse()).status).to.equal(200);
    const disabled = h.caller('198.51.100.80', 5060);
    expect((await disabled.call({ to: '18005550100' }).finalResponse()).status).to.equal(403);
  });

  it('only the configured access numbers are accepted', async () => {
    await start((c) => ({ ...c, accessNumbers: ['18005550100'] }));
    expect((await trunk.call({ to: '18005550199' }).finalResponse()).status).to.equal(404);
    expect((await trunk.call({ to: '18005550100' }).finalResponse()).status).to.equal(200);
  });
});
