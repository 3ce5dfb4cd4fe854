import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { reserveCallChunk, settleCallChunk } from '../../billing/calls/call-holds';
import { insertCallRecord, updateCallRecord } from '../../billing/calls/call-records';
import { cardById } from '../../billing/cards/card-rows';
import { outboxOfOrder } from '../../billing/mail/outbox';
import { createMerchant } from '../../billing/merchants/merchants';
import { unwrap } from '../../billing/shared/errors';
import { eventually, startSite, TestSmtp } from './support/site-harness';
import type { RunningSite } from './support/site-harness';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = path.resolve('test-output/screenshots');
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

describe('cyber card site in Chromium (sandbox payments, real SMTP, SQLite)', function () {
  this.timeout(60_000);
  let browser: Browser;
  let smtp: TestSmtp;
  let site: RunningSite;
  let merchantKey: string;
  const visited: string[] = [];
  const secrets: string[] = [];

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) {
      if (process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing (apt-get install -y chromium)`);
      this.skip(); // Debian chromium is not installed here: the browser suite needs /usr/bin/chromium
    }
    fs.mkdirSync(SHOTS, { recursive: true });
    smtp = await TestSmtp.start();
    site = await startSite({ SMTP_URL: `smtp://127.0.0.1:${smtp.port}` });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
    merchantKey = (unwrap(await site.server.deps.billing.tx((ctx) => createMerchant(ctx, 'Corner Coffee')))).api_key;
  });

  after(async () => {
    await browser?.close();
    await site?.stop();
    await smtp?.down();
  });

  async function newPage(): Promise<{ ctx: BrowserContext; page: Page }> {
    const ctx = await browser.newContext({ viewport: DESKTOP, javaScriptEnabled: false });
    const page = await ctx.newPage();
    page.on('framenavigated', (f) => { if (f === page.mainFrame()) visited.push(f.url()); });
    return { ctx, page };
  }

  /** Full-page screenshots of the current page at desktop and phone width (the page is not reloaded). */
  async function shot(page: Page, name: string): Promise<void> {
    await page.setViewportSize(DESKTOP);
    await page.screenshot({ path: path.join(SHOTS, `${name}-desktop.png`), fullPage: true });
    await page.setViewportSize(PHONE);
    await page.screenshot({ path: path.join(SHOTS, `${name}-phone.png`), fullPage: true });
    await page.setViewportSize(DESKTOP);
  }

  const digits = (s: string | null) => (s ?? '').replace(/\D/g, '');
  const billing = () => site.server.deps.billing;

  async function payInSandbox(page: Page, shotName?: string): Promise<void> {
    await page.waitForURL(/\/sandbox-pay\/sbcs_/);
    expect(await page.locator('.sandbox-banner').innerText()).to.contain('SANDBOX — no real money');
    if (shotName) await shot(page, shotName);
    await page.fill('#test_card', '4242 4242 4242 4242');
    await page.click('button:has-text("Pay")');
    await page.waitForURL(/\/orders\/ord_[^/]+$/);
  }

  it('buys a card for me: a declined test card, then success; number and PIN shown once; receipt by SMTP', async () => {
    const { ctx, page } = await newPage();
    await page.goto(site.url + '/');
    await shot(page, '01-home');
    await page.click('main >> text=Buy a card');
    await page.waitForURL(/\/buy$/);
    await shot(page, '02-buy');
    await page.click('label[for="preset-1"]'); // 20
    await page.fill('#buyer_email', 'me@example.com');
    await page.check('#mode-self');
    await page.click('button:has-text("Continue to payment")');
    await page.waitForURL(/\/sandbox-pay\//);
    await shot(page, '03-sandbox-pay');
    await page.fill('#test_card', '4000 0000 0000 0002');
    await page.click('button:has-text("Pay")');
    expect(await page.locator('.error-summary').innerText()).to.contain('declined');
    await shot(page, '04-sandbox-declined');
    expect(await billing().db.one('SELECT id FROM cards')).to.equal(undefined);

    await page.fill('#test_card', '4242 4242 4242 4242');
    await page.click('button:has-text("Pay")');
    await page.waitForURL(/\/orders\/ord_[^/]+$/);
    expect(await page.locator('h1').innerText()).to.equal('Your card is ready');
    await shot(page, '05-order-ready');
    const orderUrl = page.url();
    await page.click('button:has-text("Show card number and PIN")');
    const number = digits(await page.getByTestId('card-number').innerText());
    const pin = digits(await page.getByTestId('card-pin').innerText());
    secrets.push(number, pin);
    expect(number).to.match(/^\d{16}$/);
    expect(pin).to.match(/^\d{4}$/);
    await shot(page, '06-card-revealed');

    await page.goto(orderUrl);
    expect(await page.content()).to.not.contain(number.slice(0, 12));
    expect(await page.locator('.notice').innerText()).to.contain('cannot be shown again');
    expect(await page.locator('button:has-text("Show card number and PIN")').count()).to.equal(0);
    await shot(page, '07-order-after-reveal');

    const receipt = await eventually(() => smtp.to('me@example.com')[0], 'the receipt');
    expect(receipt.text).to.contain('ending ' + number.slice(-4));
    expect(receipt.raw).to.not.contain(number);

    // The card works: balance by number + PIN.
    await page.goto(site.url + '/balance');
    await page.fill('#card_number', number.replace(/(\d{4})/g, '$1 ').trim());
    await page.fill('#pin', pin);
    await page.click('button:has-text("Show balance")');
    expect(await page.locator('.summary dd.big').innerText()).to.equal('20.00 USD');
    expect(await page.locator('table.history').innerText()).to.contain('Card purchase');
    await ctx.close();
  });

  it('buys a gift: SMTP delivers it, the link reveals the PIN once, a merchant charges the card over HTTP', async () => {
    const buyer = await newPage();
    await buyer.page.goto(site.url + '/buy?mode=gift');
    await buyer.page.check('#preset-custom');
    await buyer.page.fill('#custom_amount', '35.50');
    await buyer.page.fill('#buyer_email', 'giver@example.com');
    await buyer.page.fill('#recipient_name', 'Ana <b>Lopez</b>');
    await buyer.page.fill('#recipient_email', 'ana@example.com');
    await buyer.page.fill('#gift_message', 'Happy birthday! <script>alert(1)</script>');
    await buyer.page.click('button:has-text("Continue to payment")');
    await payInSandbox(buyer.page);
    expect(await buyer.page.locator('h1').innerText()).to.equal('Your gift card is paid');
    const first = await eventually(() => smtp.to('ana@example.com')[0], 'the gift email');
    const linkOf = (text: string) => /(http:\/\/127\.0\.0\.1:\d+\/gift\/[A-Za-z0-9_-]+)/.exec(text)![1]!;
    // "Resend gift email": a new link replaces the old one.
    await buyer.page.reload();
    await buyer.page.click('button:has-text("Resend gift email")');
    expect(await buyer.page.locator('.notice').innerText()).to.contain('on its way again');
    await shot(buyer.page, '08b-gift-resent');
    const gift = await eventually(() => smtp.to('ana@example.com')[1], 'the resent gift email');
    expect(smtp.to('ana@example.com')).to.have.length(2);
    const number = /Card number: ([\d ]{19})/.exec(gift.text)![1]!.replace(/ /g, '');
    const link = linkOf(gift.text);
    expect(link).to.not.equal(linkOf(first.text));
    const stale = await browser.newContext({ javaScriptEnabled: false });
    const stalePage = await stale.newPage();
    expect((await stalePage.goto(linkOf(first.text)))?.status()).to.equal(404);
    await stale.close();
    secrets.push(number);
    expect(gift.text).to.contain('<script>alert(1)</script>'); // the text part carries the message verbatim
    expect(gift.raw).to.not.match(/PIN: \d{4}/);
    await buyer.page.reload();
    expect(await buyer.page.locator('.summary').innerText()).to.match(/Gift email\s+sent/);
    await shot(buyer.page, '08-gift-order');

    const friend = await newPage();
    await friend.page.goto(link);
    expect(await friend.page.locator('h1').innerText()).to.contain('Ana <b>Lopez</b>, you received');
    expect(await friend.page.locator('blockquote').innerText()).to.contain('<script>alert(1)</script>');
    expect(await friend.page.locator('script').count()).to.equal(0);
    await shot(friend.page, '09-gift-landing');
    await friend.page.click('button:has-text("Show my card number and PIN")');
    expect(digits(await friend.page.getByTestId('card-number').innerText())).to.equal(number);
    const pin = digits(await friend.page.getByTestId('card-pin').innerText());
    secrets.push(pin);
    await shot(friend.page, '10-gift-revealed');
    const again = await friend.page.goto(link);
    expect(again?.status()).to.equal(410);
    expect(await friend.page.locator('h1').innerText()).to.equal('This gift link was already used');
    expect(await friend.page.content()).to.not.contain(`>${pin}<`);
    await shot(friend.page, '11-gift-used');

    // The buyer can no longer resend once it was opened.
    await buyer.page.reload();
    expect(await buyer.page.locator('button:has-text("Resend gift email")').count()).to.equal(0);

    const res = await fetch(`${site.url}/v1/authorizations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${merchantKey}`, 'content-type': 'application/json', 'idempotency-key': 'gift-charge-1' },
      body: JSON.stringify({ card_number: number, pin, amount: 1250, currency: 'USD', capture: true, description: 'Flat white' }),
    });
    expect(res.status).to.equal(201);
    const auth = (await res.json()) as { status: string; card: { balance: number } };
    expect(auth.card.balance).to.equal(3550 - 1250);
    await buyer.ctx.close();
    await friend.ctx.close();
  });

  it('recharges a card by its number, after clear errors for bad input', async () => {
    const card = await billing().issueCard({ value_minor: 500, currency: 'USD' });
    secrets.push(card.number, card.pin);
    const { ctx, page } = await newPage();
    await page.goto(site.url + '/recharge');
    await shot(page, '12-recharge');
    await page.fill('#card_number', '1234 5678');
    await page.check('#preset-custom');
    await page.fill('#custom_amount', '10000');
    await page.fill('#buyer_email', 'not-an-email');
    await page.click('button:has-text("Continue to payment")');
    const summary = await page.locator('.error-summary').innerText();
    expect(summary).to.contain('Enter the 16-digit card number');
    expect(summary).to.contain('between 5.00 and 500.00 USD');
    expect(summary).to.contain('like name@example.com');
    expect(await page.locator('#card_number').getAttribute('aria-invalid')).to.equal('true');
    await shot(page, '13-recharge-errors');

    await page.fill('#card_number', card.number);
    await page.check('#preset-0');
    await page.fill('#custom_amount', '');
    await page.fill('#buyer_email', 'topup@example.com');
    await page.click('button:has-text("Continue to payment")');
    await payInSandbox(page, '14-recharge-pay');
    expect(await page.locator('h1').innerText()).to.equal('Card recharged');
    await shot(page, '15-recharge-done');
    expect((await cardById(billing().db, card.card_id))?.balance_minor).to.equal(1500);
    expect(await billing().db.all("SELECT kind FROM ledger_entries WHERE card_id = ? AND kind = 'recharge'", [card.card_id])).to.have.length(1);
    await eventually(() => smtp.to('topup@example.com')[0], 'the recharge receipt');
    await ctx.close();
  });

  it('shows balance and ONE history with a call and a merchant payment; a wrong PIN, then a locked card, say so', async () => {
    const b = billing();
    const card = await b.issueCard({ value_minor: 5000, currency: 'USD' });
    secrets.push(card.number, card.pin);
    await b.tx(async (ctx) => {
      await insertCallRecord(ctx.q, { id: 'call_browser_1', card_id: card.card_id, caller_number: '15551230000', access_number: '18005550100', channel_id: 'ch-1', started_at_ms: ctx.now_ms });
      await updateCallRecord(ctx.q, 'call_browser_1', { destination: '442071234567', destination_name: 'United Kingdom', status: 'completed', billed_seconds: 125, cost_minor: 150, ended_at_ms: ctx.now_ms });
      const hold = unwrap(await reserveCallChunk(ctx, 'call_browser_1', card.card_id, 300, 'USD', 60_000));
      unwrap(await settleCallChunk(ctx, hold.id, 150));
    });
    const res = await fetch(`${site.url}/v1/authorizations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${merchantKey}`, 'content-type': 'application/json', 'idempotency-key': 'hist-1' },
      body: JSON.stringify({ card_number: card.number, pin: card.pin, amount: 899, currency: 'USD', capture: true, description: 'Sandwich' }),
    });
    expect(res.status).to.equal(201);

    const { ctx, page } = await newPage();
    await page.goto(site.url + '/balance');
    await shot(page, '16-balance-form');
    await page.fill('#card_number', card.number);
    await page.fill('#pin', card.pin === '0000' ? '1111' : '0000');
    await page.click('button:has-text("Show balance")');
    expect(await page.locator('.error-summary').innerText()).to.contain('The card number or PIN is not valid');
    expect(await page.locator('#pin').inputValue()).to.equal('');
    await shot(page, '17-balance-wrong-pin');

    await page.fill('#pin', card.pin);
    await page.click('button:has-text("Show balance")');
    expect(await page.locator('.summary dd.big').innerText()).to.equal(`${((5000 - 150 - 899) / 100).toFixed(2)} USD`);
    const history = await page.locator('table.history').innerText();
    expect(history).to.contain('Call to +442071234567 (United Kingdom)');
    expect(history).to.contain('2 min 5 s');
    expect(history).to.contain('Corner Coffee — Sandwich');
    expect(history).to.contain('-1.50 USD');
    expect(history).to.contain('-8.99 USD');
    await shot(page, '18-balance-history');

    // Five wrong PINs (any channel counts) lock the card; the site says so even with the right PIN.
    const locked = await b.issueCard({ value_minor: 1000, currency: 'USD' });
    secrets.push(locked.number, locked.pin);
    const wrong = locked.pin === '0000' ? '1111' : '0000';
    for (let i = 0; i < 5; i++) {
      await page.goto(site.url + '/balance');
      await page.fill('#card_number', locked.number);
      await page.fill('#pin', wrong);
      await page.click('button:has-text("Show balance")');
    }
    await page.fill('#card_number', locked.number);
    await page.fill('#pin', locked.pin);
    await page.click('button:has-text("Show balance")');
    expect(await page.locator('.error-summary').innerText()).to.contain('This card is locked after too many wrong PINs');
    await shot(page, '19-balance-locked');
    await ctx.close();
  });

  it('the buy form shows clear errors; a post without its CSRF token is refused', async () => {
    const { ctx, page } = await newPage();
    await page.goto(site.url + '/buy');
    await page.check('#preset-custom');
    await page.fill('#custom_amount', '1.234');
    await page.check('#mode-gift');
    await page.fill('#recipient_email', 'friend@');
    await page.fill('#send_date', '2001-01-01');
    await page.click('button:has-text("Continue to payment")');
    const summary = await page.locator('.error-summary').innerText();
    expect(summary).to.contain('Enter the amount as a number');
    expect(summary).to.contain('Enter your email address');
    expect(summary).to.contain('Enter the recipient’s name');
    expect(summary).to.contain('Enter the recipient’s email address like name@example.com');
    expect(summary).to.contain('The send date must be today or later');
    expect(await page.locator('#recipient_email').inputValue()).to.equal('friend@');
    await shot(page, '20-buy-errors');

    const forged = await fetch(`${site.url}/buy`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'preset=20&buyer_email=x%40example.com&mode=self' });
    expect(forged.status).to.equal(403);
    expect(forged.headers.get('content-security-policy')).to.contain("script-src 'none'");
    await page.goto(site.url + '/orders/ord_doesnotexist00000');
    await shot(page, '21-order-not-found');
    await page.goto(site.url + '/gift/not-a-real-gift-token-000000');
    await shot(page, '22-gift-invalid');
    await ctx.close();
  });

  it('with the SMTP server down, mail waits and goes out once when it returns', async () => {
    await smtp.down();
    const { ctx, page } = await newPage();
    await page.goto(site.url + '/buy');
    await page.fill('#buyer_email', 'patient@example.com');
    await page.click('button:has-text("Continue to payment")');
    await payInSandbox(page);
    const order_id = /\/orders\/(ord_[^/?]+)/.exec(page.url())![1]!;
    const failedOnce = await eventually(async () => (await outboxOfOrder(billing().db, order_id)).find((r) => r.attempts >= 2 && r.status === 'pending'), 'two failed attempts');
    expect(failedOnce.last_error).to.match(/ECONNREFUSED|ECONNECTION/);
    await page.reload();
    expect(await page.locator('.summary').innerText()).to.contain('delivery is being retried');
    await shot(page, '23-order-mail-retrying');
    await smtp.up();
    const sent = await eventually(async () => (await outboxOfOrder(billing().db, order_id)).find((r) => r.status === 'sent'), 'the receipt to be sent');
    expect(sent.attempts).to.be.greaterThan(2);
    await eventually(() => smtp.to('patient@example.com')[0], 'the receipt on the SMTP server');
    // Another pass of the outbox sends nothing more.
    const before = smtp.to('patient@example.com').length;
    await eventually(async () => (await billing().db.one<{ n: number }>("SELECT COUNT(*) AS n FROM mail_outbox WHERE status = 'pending' AND next_attempt_at_ms <= ?", [Date.now()]))!.n === 0 || undefined, 'an idle outbox');
    expect(smtp.to('patient@example.com').length).to.equal(before);
    expect(before).to.equal(1);
    await ctx.close();
  });

  it('never put a card number, PIN or token in a URL, nor a card number or PIN in a log line', () => {
    expect(secrets.length).to.be.greaterThan(6);
    const numbers = secrets.filter((s) => s.length === 16);
    for (const url of visited) {
      const u = new URL(url);
      expect(u.search, url).to.not.match(/\d{12}/);
      for (const n of numbers) expect(url).to.not.contain(n);
    }
    const logText = JSON.stringify(site.logs.lines);
    for (const n of numbers) expect(logText).to.not.contain(n);
    expect(logText).to.not.match(/"pin"\s*:/);
  });
});
