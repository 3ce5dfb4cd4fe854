import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { SecretBox } from '../../billing/orders/secret-box';
import { backoffMs, DEFAULT_DELIVERY, safeError } from '../../billing/mail/deliver';
import { html } from '../../web/html';
import { eventually, startSite } from './support/site-harness';

describe('site building blocks', () => {
  it('html`` escapes every interpolated value, nested templates stay as built', () => {
    const evil = `<script>alert("x")</script>&'\``;
    const out = html`<p title="${evil}">${evil}${[evil, html`<b>${evil}</b>`]}${null}${undefined}${false}${0}</p>`.value;
    expect(out).to.not.contain('<script>');
    expect(out).to.equal(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;&#96;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;&#96;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;&#96;<b>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;&#96;</b>0</p>',
    );
  });

  it('SecretBox opens only what it sealed, for the same order, under the same key', () => {
    const box = new SecretBox('k'.repeat(40));
    const sealed = box.seal('{"number":"7000000000000000","pin":"1234"}', 'ord_a');
    expect(sealed).to.not.contain('1234');
    expect(box.open(sealed, 'ord_a')).to.contain('"pin":"1234"');
    expect(() => box.open(sealed, 'ord_b')).to.throw();
    expect(() => new SecretBox('j'.repeat(40)).open(sealed, 'ord_a')).to.throw();
    const parts = sealed.split('.');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(() => box.open(parts.join('.'), 'ord_a')).to.throw();
    expect(box.seal('same', 'ord_a')).to.not.equal(box.seal('same', 'ord_a')); // fresh IV each time
  });

  it('mail backoff doubles from the base and is capped; stored errors carry no credentials or numbers', () => {
    const p = { ...DEFAULT_DELIVERY, retry_base_ms: 1000, retry_max_ms: 10_000 };
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffMs(p, n))).to.deep.equal([1000, 2000, 4000, 8000, 10_000, 10_000]);
    expect(safeError(new Error('auth failed for smtp://user:hunter2@mail.example.com card 7000 0000 0000 0000'))).to.equal('auth failed for smtp://[redacted]@mail.example.com card [number]');
  });

  it('without SMTP_URL the outbox writes .eml files into DATA_DIR/outbox', async function () {
    this.timeout(20_000);
    const site = await startSite();
    try {
      const jar: string[] = [];
      const get = await fetch(`${site.url}/buy`);
      for (const c of get.headers.getSetCookie()) jar.push(c.split(';')[0]!);
      const csrf = /name="_csrf" value="([^"]+)"/.exec(await get.text())![1]!;
      const post = (p: string, form: Record<string, string>) => fetch(site.url + p, { method: 'POST', redirect: 'manual', headers: { cookie: jar.join('; '), 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: csrf, ...form }).toString() });
      const buy = await post('/buy', { preset: '10', buyer_email: 'eml@example.com', mode: 'self' });
      expect(buy.status).to.equal(303);
      const pay = await post(buy.headers.get('location')!, { test_card: '4242424242424242' });
      expect(pay.status).to.equal(303);
      const dir = path.join(site.dataDir, 'outbox');
      const file = await eventually(() => (fs.existsSync(dir) ? fs.readdirSync(dir).find((f) => f.endsWith('.eml')) : undefined), 'an .eml file');
      const eml = fs.readFileSync(path.join(dir, file), 'utf8');
      expect(eml).to.match(/^To: eml@example\.com$/m);
      expect(eml).to.contain('Receipt: prepaid card 10.00 USD');
      expect(fs.statSync(path.join(dir, file)).mode & 0o777).to.equal(0o600);
    } finally {
      await site.stop();
    }
  });
});
