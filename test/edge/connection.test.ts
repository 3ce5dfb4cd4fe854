import { expect } from 'chai';
import { Registry } from 'prom-client';
import { systemClock } from '../../billing/shared/clock';
import { MemoryLogger } from '../../billing/shared/logger';
import { EDGE_DEFAULTS } from '../../edge/edge-config';
import { SipEdge } from '../../edge/sip-edge';
import { DrachtioServerDouble } from '../doubles/drachtio/drachtio-double';
import { answers } from '../doubles/drachtio/peers';
import { carrier, FakeRouting } from './support/fake-routing';
import { EDGE_SIP, EdgeHarness, SECRET, sleep, until } from './support/edge-harness';

/** The edge's connection to drachtio-server: handshake, loss, bounded reconnection, readiness, fail safe. */
describe('SIP edge: connection to drachtio-server', function () {
  this.timeout(20_000);

  it('while the edge is down drachtio refuses calls itself (503): none is connected', async () => {
    const routing = new FakeRouting([carrier(1, 'alpha', 'sip:198.51.100.10:5060')]);
    const h = await new EdgeHarness({ routing }).start();
    try {
      const gw = h.uas('198.51.100.10', 5060, { invite: answers.answer({ answer_ms: 5 }) });
      const node = h.caller('10.0.0.5');
      expect(h.double.frames.filter((f) => f.dir === 'srf->server').map((f) => f.raw.split('|')[1])).to.include.members(['authenticate', 'route']);
      await h.edge.stop(); // the edge goes away (a restart): nothing routes INVITEs
      await until(() => h.double.appCount() === 0, 3000, 'edge gone');
      expect((await node.call({ to: '447700900123', headers: [['X-Prepaid-Call-Id', 'down-1']] }).finalResponse()).status).to.equal(503);
      expect(gw.invites()).to.have.length(0);
      expect(routing.attempts).to.have.length(0);
    } finally {
      await h.stop();
    }
  });

  it('keeps retrying with bounded backoff while drachtio-server is down, and is ready once it is back', async () => {
    const routing = new FakeRouting([]);
    // Find a free port, then leave it closed: the server is "down".
    const probe = new DrachtioServerDouble({ secret: SECRET, sip: EDGE_SIP });
    const { port } = await probe.start();
    await probe.stop();
    const logger = new MemoryLogger();
    const edge = new SipEdge({
      routing, carriers: routing, clock: systemClock, logger, metrics: new Registry(),
      config: {
        drachtio: { host: '127.0.0.1', port, secret: SECRET }, nodes: [{ host: '10.0.0.5', port: 5060, weight: 1 }], accessNumbers: [],
        outbound: { ...EDGE_DEFAULTS.outbound }, inbound: { ...EDGE_DEFAULTS.inbound }, health: { ...EDGE_DEFAULTS.health },
        reconnectMaxDelay_ms: 300, carriersRefresh_ms: 60_000,
      },
    });
    await edge.start();
    try {
      await sleep(1500);
      expect(edge.ready).to.equal(false);
      const delays = logger.lines.filter((l) => l.message === 'reconnecting to drachtio-server').map((l) => l.fields.delay_ms as number);
      expect(delays.length).to.be.greaterThan(3);
      expect(Math.max(...delays)).to.be.at.most(300);
      const server = new DrachtioServerDouble({ secret: SECRET, sip: EDGE_SIP });
      await server.start(port);
      try {
        await until(() => edge.ready, 3000, 'edge connected once the server is up');
      } finally {
        await edge.stop();
        await server.stop();
      }
    } finally {
      await edge.stop();
    }
  });

  it('a dropped connection is re-established and calls route again', async () => {
    const routing = new FakeRouting([carrier(1, 'alpha', 'sip:198.51.100.10:5060')]);
    const h = await new EdgeHarness({ routing }).start();
    try {
      h.uas('198.51.100.10', 5060, { invite: answers.answer({ answer_ms: 5 }) });
      const node = h.caller('10.0.0.5');
      h.double.dropConnections();
      await until(() => !h.edge.status().connected, 2000, 'loss noticed');
      expect(await h.metricsText()).to.match(/prepaid_edge_drachtio_connected 0/);
      await until(() => h.edge.ready, 3000, 'reconnected');
      expect((await node.call({ to: '447700900123', headers: [['X-Prepaid-Call-Id', 'after-drop']] }).finalResponse()).status).to.equal(200);
      expect(await h.metricsText()).to.match(/prepaid_edge_drachtio_connected 1/);
    } finally {
      await h.stop();
    }
  });

  it('refuses a wrong secret and says so in the log', async () => {
    const routing = new FakeRouting([]);
    const server = new DrachtioServerDouble({ secret: SECRET, sip: EDGE_SIP });
    const { port } = await server.start();
    const logger = new MemoryLogger();
    const edge = new SipEdge({
      routing, carriers: routing, clock: systemClock, logger, metrics: new Registry(),
      config: {
        drachtio: { host: '127.0.0.1', port, secret: 'not-the-secret' }, nodes: [{ host: '10.0.0.5', port: 5060, weight: 1 }], accessNumbers: [],
        outbound: { ...EDGE_DEFAULTS.outbound }, inbound: { ...EDGE_DEFAULTS.inbound }, health: { ...EDGE_DEFAULTS.health },
        reconnectMaxDelay_ms: 300, carriersRefresh_ms: 60_000,
      },
    });
    await edge.start();
    try {
      await until(() => logger.lines.some((l) => /refused the connection/.test(l.message)), 3000, 'refusal logged');
      expect(edge.ready).to.equal(false);
      expect(JSON.stringify(logger.lines)).to.not.contain('not-the-secret');
    } finally {
      await edge.stop();
      await server.stop();
    }
  });
});
