import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createMerchant } from '../../billing/merchants/merchants';
import { unwrap } from '../../billing/shared/errors';
import { ConfigError, loadConfig } from '../../app/config';
import { TEST_SECRET } from '../support/databases';
import { eventually, startSite, TestSmtp } from './support/site-harness';
import type { ReceivedMail, RunningSite } from './support/site-harness';

const CHROMIUM = '/usr/bin/chromium';
const SUPPORT = 'help@cybercard.example';
const SHOTS = path.resolve('test-output/screenshots');

/**
 * What real buyers hit (issue #13): unknown paths, a closed tab before the reveal, an amount typed
 * without choosing "Other", gift details left under "For me", a gift mail without a sender and no
 * support contact. Chromium without JavaScript, sandbox payments, a real SMTP server, SQLite.
 */
describe('site: what buyers hit in production (Chromium, real SMTP)', function () {
  this.timeout(60_000);
  let browser: Browser;
  let smtp: TestSmtp;
  let site: RunningSite;
  const contexts: BrowserContext[] = [];

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) {
      if (process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing (apt-get install -y chromium)`);
      this.skip(); // Debian chromium is not installed here: the browser suite needs /usr/bin/chromium
    }
    fs.mkdirSync(SHOTS, { recursive: true });
    smtp = await TestSmtp.start();
    site = await startSite({ SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, SITE_SUPPORT_EMAIL: SUPPORT });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  });

  after(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await site?.stop();
    await smtp?.down();
  });

  async function newPage(): Promise<Page> {
    const ctx = await browser.newContext({ javaScriptEnabled: false });
    ctx.setDefaultTimeout(10_000);
    contexts.push(ctx);
    return ctx.newPage();
  }

  /** Full-page screenshots at desktop and phone width, like the main site suite. */
  async function shot(page: Page, name: string): Promise<void> {
    for (const [label, viewport] of [['desktop', { width: 1280, height: 800 }], ['phone', { width: 390, height: 844 }]] as const) {
      await page.setViewportSize(viewport);
      await page.screenshot({ path: path.join(SHOTS, `${name}-${label}.png`), fullPage: true });
    }
  }

  const billing = () => site.server.deps.billing;
  const digits = (s: string | null) => (s ?? '').replace(/\D/g, '');
  const orderIdOf = (page: Page) => /\/orders\/(ord_[A-Za-z0-9_-]+)/.exec(page.url())![1]!;
  const revealLinkOf = (mail: ReceivedMail) => /(http:\/\/127\.0\.0\.1:\d+\/reveal\/[A-Za-z0-9_-]+)/.exec(mail.text)?.[1];

  async function pay(page: Page): Promise<void> {
    await page.waitForURL(/\/sandbox-pay\/sbcs_/);
    await page.fill('#test_card', '4242 4242 4242 4242');
    await page.click('button:has-text("Pay")');
    await page.waitForURL(/\/orders\/ord_[^/]+$/);
  }

  async function buyForMe(page: Page, email: string): Promise<string> {
    await page.goto(site.url + '/buy');
    await page.fill('#buyer_email', email);
    await page.check('#mode-self');
    await page.click('button:has-text("Continue to payment")');
    await pay(page);
    return orderIdOf(page);
  }

  async function showBalance(page: Page, number: string, pin: string): Promise<string> {
    await page.goto(site.url + '/balance');
    await page.fill('#card_number', number);
    await page.fill('#pin', pin);
    await page.click('button:has-text("Show balance")');
    return page.locator('.summary dd.big').innerText();
  }

  it('an unknown path or a revisited reveal gets a page in the site layout with the right status; /v1 keeps its JSON 404', async () => {
    const page = await newPage();
    const unknown = await page.goto(site.url + '/no/such/page');
    expect(unknown?.status()).to.equal(404);
    expect(await page.locator('h1').innerText()).to.equal('Page not found');
    expect(await page.locator('header.site-header nav').count()).to.equal(1);
    expect(await page.content()).to.not.contain('Cannot GET');
    expect(unknown?.headers()['content-security-policy']).to.contain("script-src 'none'");
    expect(unknown?.headers()['cache-control']).to.contain('no-store');
    await shot(page, '30-not-found');

    const posted = await fetch(site.url + '/no-such-form', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1' });
    expect(posted.status).to.equal(404);
    expect(posted.headers.get('content-type')).to.contain('text/html');
    expect(await posted.text()).to.contain('Page not found');

    const asset = await fetch(site.url + '/assets/nothing.css');
    expect(asset.status).to.equal(404);
    expect(await asset.text()).to.contain('Page not found');

    const key = unwrap(await billing().tx((ctx) => createMerchant(ctx, 'Kiosk'))).api_key;
    const api = await fetch(site.url + '/v1/no-such-endpoint', { headers: { authorization: `Bearer ${key}` } });
    expect(api.status).to.equal(404);
    expect(api.headers.get('content-type')).to.contain('application/json');
    const body = (await api.json()) as { error: { code: string; message: string; request_id: string } };
    expect(body.error.code).to.equal('not_found');
    expect(body.error.request_id).to.be.a('string');

    const missing = await page.goto(site.url + '/orders/ord_doesnotexist00000/reveal');
    expect(missing?.status()).to.equal(404);
    expect(await page.locator('h1').innerText()).to.equal('Order not found');

    // Before the reveal, the address of the reveal form leads back to the order page (a GET consumes nothing).
    const order_id = await buyForMe(page, 'revisit@example.com');
    const early = await page.goto(`${site.url}/orders/${order_id}/reveal`);
    expect(early?.status()).to.equal(200);
    expect(page.url()).to.equal(`${site.url}/orders/${order_id}`);
    await page.click('button:has-text("Show card number and PIN")');
    expect(digits(await page.getByTestId('card-number').innerText())).to.match(/^\d{16}$/);
    expect(page.url()).to.equal(`${site.url}/orders/${order_id}/reveal`);

    // Coming back to it (a bookmark, the address bar, another tab): a clear page, never the card again.
    const again = await page.goto(`${site.url}/orders/${order_id}/reveal`);
    expect(again?.status()).to.equal(410);
    expect(await page.locator('h1').innerText()).to.equal('The card was already shown');
    expect(await page.locator('main').innerText()).to.contain('shown only once');
    expect(await page.getByTestId('card-pin').count()).to.equal(0);
    expect(await page.locator(`main a[href="/orders/${order_id}"]`).count()).to.equal(1);
    await shot(page, '31-reveal-revisited');
  });

  it('a buyer who closes the tab before the reveal gets the card through the one-time link in the receipt', async () => {
    const buying = await newPage();
    const order_id = await buyForMe(buying, 'closed-tab@example.com');
    expect(await buying.locator('h1').innerText()).to.equal('Your card is ready');
    await buying.context().close(); // the tab (and its session cookie) is gone

    const receipt = await eventually(() => smtp.to('closed-tab@example.com')[0], 'the receipt');
    const link = revealLinkOf(receipt);
    expect(link, receipt.text).to.be.a('string');
    expect(receipt.text).to.not.match(/\d{16}|\d{4} \d{4} \d{4} \d{4}/);
    expect(receipt.text).to.not.match(/PIN:?\s*\d/);
    const token = link!.split('/').pop()!;
    // Only a keyed hash of the token is stored: it is in no table in clear.
    for (const table of ['orders', 'mail_outbox']) {
      const rows = await billing().db.all(`SELECT * FROM ${table}`);
      expect(JSON.stringify(rows), table).to.not.contain(token);
    }

    // Another browser: the order page points to the receipt's link instead of a dead end.
    const later = await newPage();
    await later.goto(`${site.url}/orders/${order_id}`);
    expect(await later.locator('main').innerText()).to.contain('one-time link in your receipt email');
    await shot(later, '32-order-other-browser');

    // Opening the link twice (mail scanners prefetch it) consumes nothing; the button reveals once.
    expect((await later.goto(link!))?.status()).to.equal(200);
    expect((await later.goto(link!))?.status()).to.equal(200);
    expect(await later.locator('h1').innerText()).to.equal('Your prepaid card');
    await shot(later, '33-reveal-link-landing');
    await later.click('button:has-text("Show card number and PIN")');
    const number = digits(await later.getByTestId('card-number').innerText());
    const pin = digits(await later.getByTestId('card-pin').innerText());
    expect(number).to.match(/^\d{16}$/);
    expect(await showBalance(later, number, pin)).to.equal('20.00 USD');

    const used = await later.goto(link!);
    expect(used?.status()).to.equal(410);
    expect(await later.locator('h1').innerText()).to.equal('The card was already shown');
    expect(await later.content()).to.not.contain(number.slice(0, 12));
  });

  it('a lost or expired link: the order page mails a new one to the buyer, the old one stops working', async () => {
    const buying = await newPage();
    const order_id = await buyForMe(buying, 'lost-link@example.com');
    await buying.context().close();
    const first = revealLinkOf(await eventually(() => smtp.to('lost-link@example.com')[0], 'the receipt'))!;
    // Time passes beyond the link's validity.
    await billing().db.run('UPDATE orders SET reveal_expires_at_ms = ? WHERE id = ?', [Date.now() - 1000, order_id]);

    const other = await newPage();
    const expired = await other.goto(first);
    expect(expired?.status()).to.equal(410);
    expect(await other.locator('h1').innerText()).to.equal('This link has expired');
    await shot(other, '34-reveal-link-expired');
    await other.click(`main a[href="/orders/${order_id}"]`);
    await other.click('button:has-text("Email me a new link")');
    expect(await other.locator('.notice').innerText()).to.contain('lost-link@example.com');
    await shot(other, '35-reveal-link-sent');

    const second = revealLinkOf(await eventually(() => smtp.to('lost-link@example.com')[1], 'the new link'))!;
    expect(second).to.not.equal(first);
    expect((await other.goto(first))?.status()).to.equal(404);
    expect((await other.goto(second))?.status()).to.equal(200);
    await other.click('button:has-text("Show card number and PIN")');
    expect(digits(await other.getByTestId('card-number').innerText())).to.match(/^\d{16}$/);
  });

  it('an amount typed in "Other amount" without choosing "Other" is the amount bought (buy and recharge); a bad one is an error', async () => {
    const page = await newPage();
    await page.goto(site.url + '/buy');
    expect(await page.locator('#preset-1').isChecked()).to.equal(true); // 20.00 is preselected
    await page.fill('#custom_amount', '35.50');
    await page.fill('#buyer_email', 'typed@example.com');
    await page.click('button:has-text("Continue to payment")');
    await page.waitForURL(/\/sandbox-pay\//);
    expect(await page.locator('button:has-text("Pay")').innerText()).to.equal('Pay 35.50 USD');
    await pay(page);
    const order = await billing().db.one<{ amount_minor: number }>('SELECT amount_minor FROM orders WHERE id = ?', [orderIdOf(page)]);
    expect(Number(order!.amount_minor)).to.equal(3550);

    // A typed amount that is not valid is an error on the amount, never a silent fallback to the preset.
    await page.goto(site.url + '/buy');
    await page.check('#preset-2');
    await page.fill('#custom_amount', '3,000');
    await page.fill('#buyer_email', 'typed@example.com');
    await page.click('button:has-text("Continue to payment")');
    expect(page.url()).to.equal(site.url + '/buy');
    expect(await page.locator('.error-summary').innerText()).to.contain('Enter the amount as a number');
    expect(await page.locator('#preset-custom').isChecked()).to.equal(true);
    expect(await page.locator('#custom_amount').inputValue()).to.equal('3,000');
    await shot(page, '36-buy-typed-amount-error');

    const card = await billing().issueCard({ value_minor: 500, currency: 'USD' });
    await page.goto(site.url + '/recharge');
    await page.fill('#card_number', card.number);
    await page.fill('#custom_amount', '12.34');
    await page.fill('#buyer_email', 'typed@example.com');
    await page.click('button:has-text("Continue to payment")');
    await pay(page);
    expect(await page.locator('.lead').innerText()).to.contain('12.34 USD');
  });

  it('gift details under "For me" are an error asking to choose, never dropped; choosing the gift sends it', async () => {
    const page = await newPage();
    await page.goto(site.url + '/buy');
    await page.fill('#buyer_email', 'forme@example.com');
    await page.check('#mode-self');
    await page.fill('#recipient_name', 'Lena');
    await page.fill('#recipient_email', 'lena@example.com');
    await page.fill('#gift_message', 'For you');
    const res = page.waitForResponse((r) => r.url() === `${site.url}/buy` && r.request().method() === 'POST');
    await page.click('button:has-text("Continue to payment")');
    expect((await res).status()).to.equal(422);
    expect(await page.locator('.error-summary').innerText()).to.contain('You filled in gift details but chose “For me”');
    expect(await page.locator('#mode .error').count()).to.equal(1);
    expect(await page.locator('#recipient_email').inputValue()).to.equal('lena@example.com');
    expect(await billing().db.one("SELECT id FROM orders WHERE buyer_email = 'forme@example.com'")).to.equal(undefined);
    await shot(page, '37-buy-gift-details-for-me');

    await page.check('#mode-gift');
    await page.click('button:has-text("Continue to payment")');
    await pay(page);
    expect(await page.locator('h1').innerText()).to.equal('Your gift card is paid');
    await eventually(() => smtp.to('lena@example.com')[0], 'the gift email');

    // "For me" with the gift details emptied buys a card for the buyer.
    await page.goto(site.url + '/buy');
    await page.fill('#buyer_email', 'forme@example.com');
    await page.check('#mode-self');
    await page.click('button:has-text("Continue to payment")');
    await pay(page);
    expect(await page.locator('h1').innerText()).to.equal('Your card is ready');
  });

  it('the gift mail names its sender; the support contact is on every page and in every mail; a bad one stops start-up', async () => {
    const page = await newPage();
    await page.goto(site.url + '/buy?mode=gift');
    await page.fill('#buyer_email', 'bob@example.com');
    await page.fill('#sender_name', 'Bob Marley');
    await page.fill('#recipient_name', 'Rita');
    await page.fill('#recipient_email', 'rita@example.com');
    await page.click('button:has-text("Continue to payment")');
    await pay(page);
    expect(await page.locator(`footer a[href="mailto:${SUPPORT}"]`).count()).to.equal(1);

    const gift = await eventually(() => smtp.to('rita@example.com')[0], 'the gift email');
    expect(gift.raw).to.match(/^Subject: .*Bob Marley/m);
    expect(gift.text).to.contain('Bob Marley sent you a prepaid card');
    expect(gift.text).to.contain(SUPPORT);
    expect(gift.raw).to.match(new RegExp(`^Reply-To: ${SUPPORT}`, 'm'));
    const receipt = await eventually(() => smtp.to('bob@example.com')[0], 'the receipt');
    expect(receipt.text).to.contain(SUPPORT);

    const friend = await newPage();
    await friend.goto(/(http:\/\/127\.0\.0\.1:\d+\/gift\/[A-Za-z0-9_-]+)/.exec(gift.text)![1]!);
    expect(await friend.locator('main').innerText()).to.contain('From Bob Marley');
    await shot(friend, '38-gift-landing-sender');
    await friend.goto(site.url + '/no-such-page');
    expect(await friend.locator(`a[href="mailto:${SUPPORT}"]`).count()).to.be.greaterThan(0);

    const base = { DATA_DIR: site.dataDir, DATABASE_URL: 'sqlite::memory:', SECRET_KEY: TEST_SECRET };
    expect(() => loadConfig({ ...base, SITE_SUPPORT_EMAIL: 'not-an-address' })).to.throw(ConfigError, /SITE_SUPPORT_EMAIL/);
    expect(loadConfig({ ...base, SITE_SUPPORT_EMAIL: SUPPORT }).site.supportEmail).to.equal(SUPPORT);
  });
});
