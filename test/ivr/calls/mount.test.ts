import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { MemoryLogger } from '../../../billing/shared/logger';
import { loadConfig } from '../../../app/config';
import { startServer } from '../../../app/serve';

describe('IVR mount (serve, role ivr, no ARI_URL: the sandbox simulator)', function () {
  this.timeout(20_000);

  it('starts the simulator, connects the IVR to it through ari-client, exposes the call metrics, and stops cleanly', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prepaid-ivr-mount-'));
    const log = new MemoryLogger();
    const server = await startServer(loadConfig({ DATA_DIR: dir, PORT: '0' }), log, ['ivr']);
    try {
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      expect(metrics).to.include('prepaid_ivr_active_sessions 0');
      expect(metrics).to.include('prepaid_ivr_call_outcomes_total');
      expect(metrics).to.match(/^prepaid_ari_requests_in_flight 0$/m);
      expect(metrics).to.match(/^prepaid_ari_requests_queued 0$/m);
      expect(metrics).to.match(/^prepaid_ari_requests_max 50$/m);
      expect(log.lines.some((l) => l.message === 'telephony sandbox: built-in ARI simulator (no ARI_URL)')).to.equal(true);
      expect(log.lines.some((l) => l.message === 'ari connected')).to.equal(true);
    } finally {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
