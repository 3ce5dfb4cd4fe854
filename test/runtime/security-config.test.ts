import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../app/config';
import { openBilling } from '../../app/open-billing';
import { DEFAULT_POLICY } from '../../billing/shared/context';

const MIN = 60_000;

/** The card-security settings (README "Card security"): defaults, overrides and refusals. */
describe('configuration: card security, trusted proxies, /metrics access, calls per card', () => {
  let dataDir: string;
  beforeEach(() => { dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'prepaid-seccfg-')); });
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('defaults: 5 wrong PINs lock 30 min, doubling up to 24 h, the 3rd lockout until unlocked; 20 failures per source and 200 per merchant in 15 min; loopback proxies and scrapers; one call per card', () => {
    const c = loadConfig({ DATA_DIR: dataDir });
    expect(c.cardSecurity).to.deep.equal({
      pin_max_failures: 5, pin_lock_ms: 30 * MIN, pin_lock_max_ms: 24 * 60 * MIN, pin_max_lockouts: 3,
      source_max_failures: 20, source_window_ms: 15 * MIN, source_lock_ms: 15 * MIN, merchant_max_failures: 200,
    });
    for (const [k, v] of Object.entries(c.cardSecurity)) expect(DEFAULT_POLICY[k as keyof typeof DEFAULT_POLICY], k).to.equal(v);
    expect(c.trustProxy).to.equal('loopback');
    expect(c.metricsAccess).to.deep.equal({ allow: ['127.0.0.0/8', '::1/128'], token: null });
    expect(c.ivr.maxCallsPerCard).to.equal(1);
  });

  it('reads every setting, and the billing core opened from it applies them', async () => {
    const c = loadConfig({
      DATA_DIR: dataDir, PIN_MAX_FAILURES: '3', PIN_LOCK_MINUTES: '10', PIN_LOCK_MAX_MINUTES: '120', PIN_MAX_LOCKOUTS: '0',
      AUTH_SOURCE_MAX_FAILURES: '7', AUTH_SOURCE_WINDOW_MINUTES: '5', AUTH_SOURCE_LOCK_MINUTES: '60', AUTH_MERCHANT_MAX_FAILURES: '1000',
      TRUST_PROXY: '10.0.0.0/8, loopback', METRICS_ALLOW: '10.1.0.0/16,2001:db8::/32', METRICS_TOKEN: 'a'.repeat(40), IVR_MAX_CALLS_PER_CARD: '0',
    });
    expect(c.trustProxy).to.equal('10.0.0.0/8, loopback');
    expect(loadConfig({ DATA_DIR: dataDir, TRUST_PROXY: '2' }).trustProxy).to.equal(2);
    expect(loadConfig({ DATA_DIR: dataDir, TRUST_PROXY: 'false' }).trustProxy).to.equal(false);
    expect(c.metricsAccess).to.deep.equal({ allow: ['10.1.0.0/16', '2001:db8::/32'], token: 'a'.repeat(40) });
    expect(loadConfig({ DATA_DIR: dataDir, METRICS_ALLOW: 'none' }).metricsAccess.allow).to.deep.equal([]);
    expect(c.ivr.maxCallsPerCard).to.equal(0);
    const billing = await openBilling(c);
    try {
      expect(billing.policy).to.include({
        pin_max_failures: 3, pin_lock_ms: 10 * MIN, pin_lock_max_ms: 120 * MIN, pin_max_lockouts: 0,
        source_max_failures: 7, source_window_ms: 5 * MIN, source_lock_ms: 60 * MIN, merchant_max_failures: 1000,
      });
    } finally {
      await billing.db.close();
    }
  });

  const bad: Array<[string, Record<string, string>, RegExp?]> = [
    ['PIN_MAX_FAILURES', { PIN_MAX_FAILURES: '0' }],
    ['PIN_MAX_FAILURES', { PIN_MAX_FAILURES: 'five' }],
    ['PIN_LOCK_MINUTES', { PIN_LOCK_MINUTES: '0' }],
    ['PIN_LOCK_MAX_MINUTES', { PIN_LOCK_MINUTES: '60', PIN_LOCK_MAX_MINUTES: '30' }, /at least PIN_LOCK_MINUTES/],
    ['PIN_MAX_LOCKOUTS', { PIN_MAX_LOCKOUTS: '-1' }],
    ['AUTH_SOURCE_MAX_FAILURES', { AUTH_SOURCE_MAX_FAILURES: '1.5' }],
    ['AUTH_SOURCE_WINDOW_MINUTES', { AUTH_SOURCE_WINDOW_MINUTES: '0' }],
    ['AUTH_SOURCE_LOCK_MINUTES', { AUTH_SOURCE_LOCK_MINUTES: 'x' }],
    ['AUTH_MERCHANT_MAX_FAILURES', { AUTH_MERCHANT_MAX_FAILURES: '0' }],
    ['TRUST_PROXY', { TRUST_PROXY: 'my-proxy' }, /invalid IP address: my-proxy/],
    ['TRUST_PROXY', { TRUST_PROXY: '10.0.0.0/33' }, /invalid range/],
    ['METRICS_ALLOW', { METRICS_ALLOW: '10.0.0.0/33' }, /prefix length must be 0 to 32/],
    ['METRICS_ALLOW', { METRICS_ALLOW: 'prometheus.local' }, /not an IP address or CIDR/],
    ['METRICS_ALLOW', { METRICS_ALLOW: '::1/129' }, /0 to 128/],
    ['METRICS_TOKEN', { METRICS_TOKEN: 'short' }],
    ['METRICS_TOKEN', { METRICS_TOKEN: `${'a'.repeat(20)} ${'b'.repeat(20)}` }],
    ['IVR_MAX_CALLS_PER_CARD', { IVR_MAX_CALLS_PER_CARD: '-1' }],
    ['IVR_MAX_CALLS_PER_CARD', { IVR_MAX_CALLS_PER_CARD: 'one' }],
  ];
  for (const [name, env, why] of bad) {
    it(`stops with a message naming ${name} for ${JSON.stringify(env)}, before creating the secret`, () => {
      let err: unknown;
      try { loadConfig({ DATA_DIR: dataDir, ...env }); } catch (e) { err = e; }
      expect(err).to.be.instanceOf(ConfigError);
      expect((err as Error).message).to.contain(`${name}:`);
      if (why) expect((err as Error).message).to.match(why);
      expect(fs.existsSync(path.join(dataDir, 'secret.key'))).to.equal(false);
    });
  }
});
