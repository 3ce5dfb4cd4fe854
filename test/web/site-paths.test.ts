import { expect } from 'chai';
import { startSite } from './support/site-harness';
import type { RunningSite } from './support/site-harness';

/**
 * Found by review: express matched `/Gift/…`, `/BUY` or `/balance/` to the site's routes while the
 * site's middleware (CSRF, CSP, no-store, body parsing) only ran on the canonical paths.
 */
describe('site paths: no variant reaches a route without its middleware', () => {
  let site: RunningSite;
  before(async () => { site = await startSite(); });
  after(async () => site?.stop());

  it('answers mixed-case and trailing-slash variants with 404, never a route or a stack trace', async () => {
    for (const [method, path] of [['GET', '/BUY'], ['GET', '/Balance'], ['POST', '/balance/'], ['POST', '/Gift/abcdef'], ['POST', '/Orders/x/resend']] as const) {
      const res = await fetch(site.url + path, { method, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: method === 'POST' ? 'card_number=1&pin=1' : undefined });
      const text = await res.text();
      expect(res.status, `${method} ${path}`).to.equal(404);
      expect(text).not.to.match(/at \w+ \(|node_modules|Error:/);
    }
  });

  it('still serves the canonical paths, with their security headers', async () => {
    const res = await fetch(`${site.url}/balance`);
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-security-policy')).to.match(/default-src/);
    expect(res.headers.get('cache-control')).to.contain('no-store');
  });
});
