import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../app/config';
import { startServer } from '../../app/serve';
import { MemoryLogger } from '../../billing/shared/logger';
import { DrachtioServerDouble } from '../doubles/drachtio/drachtio-double';
import { EDGE_SIP, SECRET, until } from './support/edge-harness';

/** `prepaid serve --roles sip-edge` through the one composition root (app/): config, task, /readyz, /metrics. */
describe('serve --roles sip-edge', function () {
  this.timeout(20_000);
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prepaid-edge-serve-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('connects to drachtio-server, reports it in /readyz and /metrics, and stops cleanly', async () => {
    const double = new DrachtioServerDouble({ secret: SECRET, sip: EDGE_SIP });
    const admin = await double.start();
    const config = loadConfig({
      DATA_DIR: dir, PORT: '0', DRACHTIO_PORT: String(admin.port), DRACHTIO_SECRET: SECRET, EDGE_ASTERISK_NODES: '10.0.0.5:5060;weight=2,10.0.0.6',
      EDGE_RECONNECT_MAX_MS: '300',
    });
    const log = new MemoryLogger();
    const server = await startServer(config, log, ['api', 'sip-edge']);
    try {
      await until(() => double.appCount() === 1, 5000, 'edge connected');
      let ready = await fetch(`${server.url}/readyz`);
      for (let i = 0; i < 50 && ready.status !== 200; i++) {
        await new Promise((r) => setTimeout(r, 50));
        ready = await fetch(`${server.url}/readyz`);
      }
      expect(ready.status).to.equal(200);
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      expect(metrics).to.include('prepaid_edge_drachtio_connected 1');
      expect(metrics).to.match(/prepaid_edge_node_up\{node="10.0.0.5:5060"\} [01]/);
      // drachtio-server goes away: not ready, and the body says why.
      await double.stop();
      await until(() => log.lines.some((l) => l.message === 'drachtio-server connection lost'), 3000, 'loss logged');
      const down = await fetch(`${server.url}/readyz`);
      expect(down.status).to.equal(503);
      const body = await down.json() as { sip_edge?: { connected: boolean; nodes: unknown[] } };
      expect(body.sip_edge?.connected).to.equal(false);
      expect(body.sip_edge?.nodes).to.have.length(2);
      expect(JSON.stringify(log.lines)).to.not.contain(SECRET);
    } finally {
      await server.stop();
      await double.stop();
    }
  });

  it('refuses to start the sip-edge role without DRACHTIO_SECRET and EDGE_ASTERISK_NODES', async () => {
    const config = loadConfig({ DATA_DIR: dir, PORT: '0' });
    let err: unknown;
    try {
      const s = await startServer(config, new MemoryLogger(), ['sip-edge']);
      await s.stop();
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(ConfigError);
    expect(String(err)).to.contain('DRACHTIO_SECRET');
  });
});
