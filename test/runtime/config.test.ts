import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../app/config';

describe('configuration (validated once, frozen)', () => {
  let dataDir: string;
  beforeEach(() => { dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'prepaid-config-')); });
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('defaults to the embedded product: SQLite in DATA_DIR, a generated secret (0600), sandbox telephony', () => {
    const c = loadConfig({ DATA_DIR: dataDir });
    expect(c.databaseUrl).to.equal(`sqlite:${path.join(dataDir, 'prepaid.db')}`);
    expect(c.embedded).to.equal(true);
    expect(c.ari).to.equal(null);
    expect(c.port).to.equal(3000);
    expect(c.defaultCurrency).to.equal('USD');
    expect(c.ivr.languages).to.deep.equal(['en', 'es']);
    expect(c.ivr.nodeId).to.match(/^[a-z0-9]{1,7}$/);
    expect(c.ivr.rateDeck).to.equal('default');
    expect(loadConfig({ DATA_DIR: dataDir, RATE_DECK: 'retail-2027' }).ivr.rateDeck).to.equal('retail-2027');
    const stat = fs.statSync(path.join(dataDir, 'secret.key'));
    expect(stat.mode & 0o777).to.equal(0o600);
    expect(loadConfig({ DATA_DIR: dataDir }).secretKey).to.equal(c.secretKey); // the same secret on restart
    expect(Object.isFrozen(c)).to.equal(true);
  });

  const bad: Array<[string, Record<string, string>]> = [
    ['PORT', { PORT: 'eighty' }],
    ['PORT', { PORT: '70000' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://x' }],
    ['ARI_URL', { ARI_URL: 'not a url' }],
    ['ARI_MAX_REQUESTS', { ARI_URL: 'http://127.0.0.1:8088', ARI_MAX_REQUESTS: '0' }],
    ['TRUNK_ENDPOINT', { TRUNK_ENDPOINT: 'PJSIP/trunk' }],
    ['SMTP_URL', { SMTP_URL: 'http://mail' }],
    ['SECRET_KEY', { SECRET_KEY: 'short' }],
    ['SECRET_KEY', { DATABASE_URL: 'postgres://postgres@127.0.0.1/prepaid' }],
    ['DEFAULT_CURRENCY', { DEFAULT_CURRENCY: 'XYZ' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
    ['IVR_LANGUAGES', { IVR_LANGUAGES: 'en,fr' }],
    ['IVR_DEFAULT_COUNTRY', { IVR_DEFAULT_COUNTRY: 'ZZ' }],
    ['IVR_NODE_ID', { IVR_NODE_ID: 'Node-1' }],
    ['IVR_LEASE_TTL_S', { IVR_LEASE_TTL_S: '1' }],
    ['IVR_CHUNK_S', { IVR_CHUNK_S: '1' }],
    ['IVR_CHUNK_S', { IVR_CHUNK_S: '1.5' }],
    ['IVR_LEASE_TTL_S', { IVR_LEASE_TTL_S: 'soon' }],
    ['CDR_POLL_MS', { CDR_FILE: '/var/log/asterisk/cdr-custom/prepaid-cdr.csv', CDR_POLL_MS: '5' }],
    ['SITE_MIN_AMOUNT', { SITE_MIN_AMOUNT: '-5' }],
    ['RATE_DECK', { RATE_DECK: '' }],
    ['RATE_DECK', { RATE_DECK: 'x'.repeat(101) }],
    ['DRACHTIO_PORT', { DRACHTIO_PORT: '0' }],
    ['DRACHTIO_SECRET', { EDGE_ASTERISK_NODES: '10.0.0.5' }],
    ['EDGE_ASTERISK_NODES', { DRACHTIO_SECRET: 's3cret' }],
    ['EDGE_ASTERISK_NODES', { DRACHTIO_SECRET: 's3cret', EDGE_ASTERISK_NODES: 'asterisk.local:5060' }],
    ['EDGE_ASTERISK_NODES', { DRACHTIO_SECRET: 's3cret', EDGE_ASTERISK_NODES: '10.0.0.5;weight=0' }],
    ['EDGE_ACCESS_NUMBERS', { EDGE_ACCESS_NUMBERS: '1800-FLOWERS' }],
    ['EDGE_INBOUND_CPS', { EDGE_INBOUND_CPS: '-1' }],
    ['EDGE_OPTIONS_TIMEOUT_MS', { DRACHTIO_SECRET: 's3cret', EDGE_ASTERISK_NODES: '10.0.0.5', EDGE_OPTIONS_INTERVAL_MS: '1000', EDGE_OPTIONS_TIMEOUT_MS: '1000' }],
  ];
  it('has no SIP edge unless configured; parses it when it is', () => {
    expect(loadConfig({ DATA_DIR: dataDir }).edge).to.equal(null);
    const c = loadConfig({
      DATA_DIR: dataDir, DRACHTIO_SECRET: 's3cret', DRACHTIO_PORT: '9023', EDGE_ASTERISK_NODES: '10.0.0.5:5060;weight=2,10.0.0.6',
      EDGE_ACCESS_NUMBERS: '+18005550100,18005550101', EDGE_SOURCE_CPS: '2.5', EDGE_INBOUND_MAX_CALLS: '300',
    });
    expect(c.edge?.drachtio).to.deep.equal({ host: '127.0.0.1', port: 9023, secret: 's3cret' });
    expect(c.edge?.nodes).to.deep.equal([{ host: '10.0.0.5', port: 5060, weight: 2 }, { host: '10.0.0.6', port: 5060, weight: 1 }]);
    expect(c.edge?.accessNumbers).to.deep.equal(['18005550100', '18005550101']);
    expect(c.edge?.inbound).to.include({ perSourceCps: 2.5, maxConcurrent: 300, cps: null, perSourceConcurrent: null });
    expect(c.edge?.outbound).to.deep.equal({ attemptTimeout_ms: 8000, ringTimeout_ms: 120_000, maxAttempts: 5 });
    expect(Object.isFrozen(c.edge)).to.equal(true);
  });

  it('a real Asterisk gets at most 50 ARI requests at once unless ARI_MAX_REQUESTS says otherwise', () => {
    expect(loadConfig({ DATA_DIR: dataDir, ARI_URL: 'http://127.0.0.1:8088' }).ari?.maxRequests).to.equal(50);
    expect(loadConfig({ DATA_DIR: dataDir, ARI_URL: 'http://127.0.0.1:8088', ARI_MAX_REQUESTS: '20' }).ari?.maxRequests).to.equal(20);
  });

  it('IVR leases default to 30 s; CDR billing is off until CDR_FILE names the file', () => {
    const c = loadConfig({ DATA_DIR: dataDir });
    expect(c.ivr.leaseTtl_s).to.equal(30);
    expect(c.ivr.chunk_s).to.equal(60);
    expect(loadConfig({ DATA_DIR: dataDir, IVR_CHUNK_S: '6' }).ivr.chunk_s).to.equal(6);
    expect(c.cdr).to.equal(null);
    const d = loadConfig({ DATA_DIR: dataDir, IVR_LEASE_TTL_S: '12', CDR_FILE: 'cdr/prepaid-cdr.csv' });
    expect(d.ivr.leaseTtl_s).to.equal(12);
    expect(d.cdr).to.deep.equal({ file: path.resolve('cdr/prepaid-cdr.csv'), pollMs: 2000 });
  });

  for (const [name, env] of bad) {
    it(`stops with a message naming ${name} for ${JSON.stringify(env)}`, () => {
      expect(() => loadConfig({ DATA_DIR: dataDir, ...env })).to.throw(ConfigError, name);
    });
  }
});
