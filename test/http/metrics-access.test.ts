import { expect } from 'chai';
import { MemoryLogger } from '../../billing/shared/logger';
import { startServer } from '../../app/serve';
import type { RunningServer } from '../../app/serve';
import type { Role } from '../../app/deps';
import { createTestDatabase } from '../support/databases';
import type { TestDatabase } from '../support/databases';
import { testConfig } from './support/api-server';

const TOKEN = 'metrics-token-0123456789abcdef0123456789';

async function scrape(server: RunningServer, headers: Record<string, string> = {}): Promise<{ status: number; body: string; auth: string | null }> {
  const r = await fetch(`${server.url}/metrics`, { headers });
  return { status: r.status, body: await r.text(), auth: r.headers.get('www-authenticate') };
}

/**
 * /metrics is served by every role (the API mount carries it), so each role is started through the
 * real composition root and scraped as a stranger (behind the loopback proxy: X-Forwarded-For), as
 * the local scraper, and with the token.
 */
describe('/metrics: loopback only by default, METRICS_ALLOW and METRICS_TOKEN (serve, SQLite)', function () {
  this.timeout(60_000);
  let tdb: TestDatabase | undefined;
  let server: RunningServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
    await tdb?.drop();
    tdb = undefined;
  });

  async function serve(roles: Role[], env: Record<string, string> = {}): Promise<RunningServer> {
    tdb = await createTestDatabase('sqlite');
    server = await startServer(testConfig(tdb.url, { LOG_LEVEL: 'warn', ...env }), new MemoryLogger(), roles);
    return server;
  }

  for (const roles of [['api'], ['site'], ['ivr']] as Role[][]) {
    it(`role ${roles.join(',')}: the scraper on loopback reads it; a remote client is refused unless it presents the token`, async () => {
      const s = await serve(roles, { METRICS_TOKEN: TOKEN });
      const local = await scrape(s);
      expect(local.status).to.equal(200);
      expect(local.body).to.include('process_cpu_user_seconds_total');
      const stranger = await scrape(s, { 'x-forwarded-for': '203.0.113.50' });
      expect(stranger.status).to.equal(401);
      expect(stranger.auth).to.equal('Bearer realm="metrics"');
      expect(stranger.body).to.not.include('process_cpu');
      expect(JSON.parse(stranger.body)).to.have.nested.property('error.code', 'unauthorized');
      expect((await scrape(s, { 'x-forwarded-for': '203.0.113.50', authorization: `Bearer ${TOKEN}x` })).status).to.equal(401);
      expect((await scrape(s, { 'x-forwarded-for': '203.0.113.50', authorization: `Basic ${TOKEN}` })).status).to.equal(401);
      const withToken = await scrape(s, { 'x-forwarded-for': '203.0.113.50', authorization: `Bearer ${TOKEN}` });
      expect(withToken.status).to.equal(200);
      expect(withToken.body).to.include('process_cpu_user_seconds_total');
    });
  }

  it('without a token, a remote client is refused with no Bearer challenge', async () => {
    const s = await serve(['api']);
    const r = await scrape(s, { 'x-forwarded-for': '198.51.100.1' });
    expect([r.status, r.auth]).to.deep.equal([401, null]);
    expect((await scrape(s, { 'x-forwarded-for': '::1' })).status).to.equal(200);
  });

  it('METRICS_ALLOW=none: the token only, even on loopback', async () => {
    const s = await serve(['api'], { METRICS_ALLOW: 'none', METRICS_TOKEN: TOKEN });
    expect((await scrape(s)).status).to.equal(401);
    expect((await scrape(s, { authorization: `Bearer ${TOKEN}` })).status).to.equal(200);
  });

  it('METRICS_ALLOW networks, matched on the client address TRUST_PROXY yields (IPv4 and IPv6 CIDRs)', async () => {
    const s = await serve(['api'], { METRICS_ALLOW: '10.20.0.0/16, 2001:db8:5::/48' });
    expect((await scrape(s)).status, 'loopback is no longer listed').to.equal(401);
    expect((await scrape(s, { 'x-forwarded-for': '10.20.30.40' })).status).to.equal(200);
    expect((await scrape(s, { 'x-forwarded-for': '10.21.0.1' })).status).to.equal(401);
    expect((await scrape(s, { 'x-forwarded-for': '2001:db8:5:ffff::1' })).status).to.equal(200);
    expect((await scrape(s, { 'x-forwarded-for': '2001:db8:6::1' })).status).to.equal(401);
  });

  it('TRUST_PROXY=false: X-Forwarded-For is not believed, the socket address decides', async () => {
    const s = await serve(['api'], { TRUST_PROXY: 'false' });
    expect((await scrape(s, { 'x-forwarded-for': '203.0.113.50' })).status).to.equal(200);
    await s.stop();
    await tdb?.drop();
    const behind = await serve(['api'], { TRUST_PROXY: 'false', METRICS_ALLOW: '10.20.0.0/16' });
    expect((await scrape(behind, { 'x-forwarded-for': '10.20.30.40' })).status).to.equal(401);
  });
});
