import fs from 'node:fs';
import { expect } from 'chai';
import { chromium } from 'playwright-core';
import type { IssuedCard } from '../../billing/billing';
import { unlockCardPin } from '../../billing/cards/card-admin';
import { testCardNumber } from '../cli/cli-process';
import { KINDS, requireKind } from '../support/databases';
import type { Kind } from '../support/databases';
import { startSite } from './support/site-harness';
import type { RunningSite } from './support/site-harness';

const CHROMIUM = '/usr/bin/chromium';
const wrongPin = (c: IssuedCard) => (c.pin === '0000' ? '1111' : '0000');

/** A browser without JavaScript, as far as the site can tell: its cookies, the form's CSRF token, form posts. */
class FormClient {
  private cookies = new Map<string, string>();
  constructor(readonly base: string, readonly forwardedFor?: string) {}

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    return { ...(cookie ? { cookie } : {}), ...(this.forwardedFor ? { 'x-forwarded-for': this.forwardedFor } : {}), ...extra };
  }

  private keep(res: Response): void {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, i), pair!.slice(i + 1));
    }
  }

  /** GETs the form, then posts `fields` with its CSRF token; answers status and page text. */
  async submit(path: string, fields: Record<string, string>): Promise<{ status: number; text: string }> {
    const page = await fetch(this.base + path, { headers: this.headers() });
    this.keep(page);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1];
    if (!csrf) throw new Error(`no CSRF token on ${path}`);
    const res = await fetch(this.base + path, {
      method: 'POST', redirect: 'manual',
      headers: this.headers({ 'content-type': 'application/x-www-form-urlencoded' }),
      body: new URLSearchParams({ _csrf: csrf, ...fields }).toString(),
    });
    this.keep(res);
    return { status: res.status, text: await res.text() };
  }
}

/**
 * The site's balance and recharge forms: wrong card credentials count per client address (an IPv6
 * address by its /64; the address is what TRUST_PROXY lets Express believe), and the card's PIN
 * lockouts escalate to a lock until an operator unlocks it. On both databases, through the real
 * `serve` composition root.
 */
for (const kind of KINDS) {
  describe(`site: balance and recharge throttles and PIN lockouts (${kind})`, function () {
    this.timeout(60_000);
    let site: RunningSite | undefined;
    before(async function () { await requireKind(this, kind as Kind); });
    afterEach(async () => {
      await site?.stop();
      site = undefined;
    });

    const balance = (client: FormClient, card: { number: string }, pin: string) => client.submit('/balance', { card_number: card.number, pin });
    const recharge = (client: FormClient, number: string) => client.submit('/recharge', { card_number: number, preset: '10', custom_amount: '', buyer_email: 'buyer@example.com' });

    it('balance: wrong PINs from addresses of one IPv6 /64 throttle that /64 (429), not the next /64', async () => {
      site = await startSite({ AUTH_SOURCE_MAX_FAILURES: '3', PIN_MAX_FAILURES: '100' }, kind);
      const card = await site.server.deps.billing.issueCard({ value_minor: 700, currency: 'USD' });
      for (const ip of ['2001:db8:77:1::10', '2001:db8:77:1::11', '2001:db8:77:1:abcd::12']) {
        const r = await balance(new FormClient(site.url, ip), card, wrongPin(card));
        expect(r.status, ip).to.equal(422);
        expect(r.text).to.contain('The card number or PIN is not valid.');
      }
      const refused = await balance(new FormClient(site.url, '2001:db8:77:1:ffff::99'), card, card.pin);
      expect(refused.status).to.equal(429);
      expect(refused.text).to.contain('Too many wrong attempts from your network');
      const ok = await balance(new FormClient(site.url, '2001:db8:77:2::10'), card, card.pin);
      expect(ok.status).to.equal(200);
      expect(ok.text).to.contain('7.00 USD');
    });

    it('recharge: unknown card numbers from one /64 (or one IPv4, also when IPv4-mapped) throttle it', async () => {
      site = await startSite({ AUTH_SOURCE_MAX_FAILURES: '2' }, kind);
      const card = await site.server.deps.billing.issueCard({ value_minor: 700, currency: 'USD' });
      for (const [i, ip] of ['2001:db8:99:5::1', '2001:db8:99:5::2'].entries()) {
        expect((await recharge(new FormClient(site.url, ip), testCardNumber(900 + i))).text).to.contain('We could not find a card with this number');
      }
      const refused = await recharge(new FormClient(site.url, '2001:db8:99:5::3'), card.number);
      expect(refused.status).to.equal(429);
      expect(refused.text).to.contain('Too many unknown card numbers from your network');
      for (const i of [1, 2]) await recharge(new FormClient(site.url, '::ffff:192.0.2.77'), testCardNumber(910 + i));
      expect((await recharge(new FormClient(site.url, '192.0.2.77'), card.number)).status).to.equal(429);
      expect((await recharge(new FormClient(site.url, '192.0.2.78'), card.number)).status, 'a payment redirect').to.equal(303);
    });

    it('TRUST_PROXY=false: X-Forwarded-For is not believed, so every attempt counts against the socket address', async () => {
      site = await startSite({ AUTH_SOURCE_MAX_FAILURES: '3', PIN_MAX_FAILURES: '100', TRUST_PROXY: 'false' }, kind);
      const card = await site.server.deps.billing.issueCard({ value_minor: 700, currency: 'USD' });
      for (const ip of ['198.51.100.1', '198.51.100.2', '198.51.100.3']) await balance(new FormClient(site.url, ip), card, wrongPin(card));
      expect((await balance(new FormClient(site.url, '198.51.100.4'), card, card.pin)).status).to.equal(429);
      const keys = await site.server.deps.billing.db.all<{ key: string }>('SELECT key FROM auth_throttles');
      expect(keys).to.deep.equal([{ key: 'ip:127.0.0.1' }]);
    });

    it('PIN lockouts escalate: locked until a time, then until an operator unlocks ("contact customer service"); an unlock lets the PIN in', async () => {
      site = await startSite({ PIN_MAX_FAILURES: '2', PIN_LOCK_MINUTES: '30', PIN_MAX_LOCKOUTS: '2', AUTH_SOURCE_MAX_FAILURES: '1000' }, kind);
      const b = site.server.deps.billing;
      const card = await b.issueCard({ value_minor: 700, currency: 'USD' });
      const client = new FormClient(site.url, '203.0.113.200');
      for (let i = 0; i < 2; i++) expect((await balance(client, card, wrongPin(card))).status).to.equal(422);
      const timed = await balance(client, card, card.pin);
      expect(timed.status).to.equal(423);
      expect(timed.text).to.match(/This card is locked after too many wrong PINs until .+\. Try again later\./);
      // The 30 minutes pass (the site runs on the system clock): the lock's end is moved into the past.
      await b.db.run('UPDATE cards SET locked_until_ms = ? WHERE id = ?', [Date.now() - 1, card.card_id]);
      for (let i = 0; i < 2; i++) expect((await balance(client, card, wrongPin(card))).status).to.equal(422);
      const held = await balance(client, card, card.pin);
      expect(held.status).to.equal(423);
      expect(held.text).to.contain('Contact customer service (support@prepaid.local) to have it unlocked.');
      expect((await b.db.one<{ pin_lockouts: number }>('SELECT pin_lockouts FROM cards WHERE id = ?', [card.card_id]))?.pin_lockouts).to.equal(2);
      await b.tx((ctx) => unlockCardPin(ctx, card.card_id));
      const ok = await balance(client, card, card.pin);
      expect(ok.status).to.equal(200);
      expect(ok.text).to.contain('7.00 USD');
    });
  });
}

describe('site in Chromium: a card locked until unlocked says so on the balance page (SQLite)', function () {
  this.timeout(60_000);
  it('shows "Contact customer service" for the right PIN of a card past its last lockout', async function () {
    if (!fs.existsSync(CHROMIUM)) {
      if (process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing (apt-get install -y chromium)`);
      this.skip(); // Debian chromium is not installed here: the browser check needs /usr/bin/chromium
    }
    const site = await startSite({ PIN_MAX_FAILURES: '1', PIN_MAX_LOCKOUTS: '1', SITE_SUPPORT_EMAIL: 'help@shop.example' });
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
    try {
      const card = await site.server.deps.billing.issueCard({ value_minor: 700, currency: 'USD' });
      const page = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
      for (const pin of [wrongPin(card), card.pin]) {
        await page.goto(`${site.url}/balance`);
        await page.fill('#card_number', card.number);
        await page.fill('#pin', pin);
        await page.click('button:has-text("Show balance")');
      }
      expect(await page.locator('.error-summary').innerText()).to.contain('This card is locked after too many wrong PINs. Contact customer service (help@shop.example) to have it unlocked.');
      expect(page.url()).to.not.contain(card.number);
    } finally {
      await browser.close();
      await site.stop();
    }
  });
});
