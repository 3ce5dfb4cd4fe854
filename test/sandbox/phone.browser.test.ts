import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { cardByNumberHash } from '../../billing/cards/card-rows';
import { formatMinor } from '../../billing/money/money';
import { MemoryLogger } from '../../billing/shared/logger';
import { sayMoney } from '../../ivr/sayer/sayer';
import { demoCardNumber, demoCardPin, demoMerchantKey } from '../../sandbox/demo/demo-secrets';
import { loadConfig } from '../../app/config';
import type { Config } from '../../app/config';
import { startServer } from '../../app/serve';
import type { RunningServer } from '../../app/serve';
import { eventually } from './support/phone-harness';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = path.resolve('test-output/screenshots');
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required'];

/**
 * The whole product as `npm start` runs it (api + site + ivr on a fresh embedded database, demo seeded, the IVR
 * on the built-in ARI simulator in real time) driven from the sandbox phone page in Chromium.
 */
describe('sandbox phone end to end in Chromium (npm start: api + site + IVR on the simulator)', function () {
  this.timeout(180_000);
  let browser: Browser;
  let server: RunningServer;
  let config: Config;
  let dataDir: string;
  let cardNumber: string;
  let pin: string;
  let page: Page;
  const sounds: string[] = [];

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) {
      if (process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing (apt-get install -y chromium)`);
      this.skip(); // Debian chromium is not installed here: the browser suite needs /usr/bin/chromium
    }
    fs.mkdirSync(SHOTS, { recursive: true });
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'prepaid-sandbox-e2e-'));
    config = loadConfig({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1' });
    server = await startServer(config, new MemoryLogger(), ['api', 'site', 'ivr'], { seedDemo: true });
    const policy = server.deps.billing.policy;
    cardNumber = demoCardNumber(config.secretKey, 0, policy.issuer_prefix);
    pin = demoCardPin(config.secretKey, 0, policy.pin_length);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    const ctx = await browser.newContext({ viewport: DESKTOP });
    page = await ctx.newPage();
    page.on('request', (r) => {
      const m = /\/phone\/sounds\/(en|es)\/([a-z0-9_]+)\.wav$/.exec(new URL(r.url()).pathname);
      if (m) sounds.push(`${m[1]}/${m[2]}`);
    });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function shot(name: string): Promise<void> {
    await page.evaluate('window.scrollTo(0, 0)');
    await page.setViewportSize(DESKTOP);
    await page.screenshot({ path: path.join(SHOTS, `phone-${name}-1280x800.png`), fullPage: false });
    await page.setViewportSize(PHONE);
    await page.screenshot({ path: path.join(SHOTS, `phone-${name}-390x844.png`), fullPage: false });
    await page.setViewportSize(DESKTOP);
  }

  const line = (text: string | RegExp) => page.locator('#transcript li', { hasText: text }).last();
  const available = async () => {
    const b = server.deps.billing;
    const card = await cardByNumberHash(b.db, b.hasher.cardNumber(cardNumber));
    return card!.balance_minor - card!.pending_minor;
  };

  /** Calls, picks English, logs in with the demo card; returns the balance prompts the browser fetched, in order. */
  async function callAndLogIn(): Promise<string[]> {
    const expected = ['you_have', ...sayMoney('en', { amount_minor: await available(), currency: 'USD' })].map((id) => `en/${id}`);
    const from = sounds.length;
    await page.getByRole('button', { name: /^Call/ }).click();
    await line(/For English, press 1/).waitFor();
    await page.keyboard.press('1'); // the keyboard's digits work as the keypad
    await line(/card number/).waitFor();
    await page.locator(`button[data-digits="${cardNumber}#"]`).click();
    await line(/PIN/).waitFor();
    await page.keyboard.type(`${pin}#`);
    await line(/number you wish to call/).waitFor();
    const heard = await eventually(() => {
      const mine = sounds.slice(from);
      const start = mine.lastIndexOf('en/you_have');
      return start !== -1 && mine.length >= start + expected.length ? mine.slice(start, start + expected.length) : undefined;
    }, 'the balance prompts fetched by the page', 20_000);
    expect(heard, 'balance prompts in order').to.deep.equal(expected);
    expect(sounds.slice(from).indexOf('en/enter_pin')).to.be.lessThan(sounds.slice(from).lastIndexOf('en/you_have'));
    return heard;
  }

  it('serves /phone with the demo cards and the test numbers, SANDBOX marked', async () => {
    await page.goto(`${server.url}/phone`);
    await expect(await page.locator('.phone-sandbox').innerText()).to.contain('SANDBOX');
    expect((await page.locator('.demo-cards').innerText()).replace(/ /g, '')).to.contain(cardNumber);
    expect(await page.getByRole('group', { name: /Keypad/ }).getByRole('button').count()).to.equal(12);
    expect(await page.getByRole('button', { name: 'pound (hash)' }).isDisabled()).to.equal(true);
    await shot('idle');
    await page.screenshot({ path: path.join(SHOTS, 'phone-idle-full-1280.png'), fullPage: true });
  });

  let firstCost = 0;
  it('call 1: language, card and PIN, balance said in order, a US number connects, hang up; the charge is in the history', async () => {
    await callAndLogIn();
    await page.keyboard.type('2125550123#');
    await page.locator('#status', { hasText: 'Connected — the simulated far end' }).waitFor({ timeout: 20_000 });
    await page.locator('#m-cost', { hasText: /0\.0[1-9] USD/ }).waitFor({ timeout: 10_000 });
    expect(await page.locator('#m-dest').innerText()).to.contain('+12125550123');
    expect(await page.locator('#m-left').innerText()).to.match(/^\d+(:\d\d){1,2}$/);
    await shot('connected');
    await page.getByRole('button', { name: 'Hang up' }).click();
    await page.locator('#status', { hasText: 'Call ended' }).waitFor();
    const rec = await eventually(async () => {
      const r = await server.deps.billing.db.one<{ status: string; cost_minor: number; billed_seconds: number }>(
        "SELECT status, cost_minor, billed_seconds FROM call_records WHERE destination = '12125550123' ORDER BY started_at_ms DESC LIMIT 1",
      );
      return r && r.status !== 'active' ? r : undefined;
    }, 'the call record settled');
    expect(rec.cost_minor).to.be.greaterThan(0);
    expect(rec.billed_seconds % 6).to.equal(0);
    firstCost = rec.cost_minor;
    await page.locator('#m-cost', { hasText: '(final)' }).waitFor();
    await shot('ended');

    const site = await browser.newPage({ viewport: DESKTOP });
    await site.goto(`${server.url}/balance`);
    await site.fill('#card_number', cardNumber);
    await site.fill('#pin', pin);
    await site.click('button:has-text("Show balance")');
    const history = await site.locator('table.history').innerText();
    expect(history).to.contain('Phone call').and.to.contain('Call to +12125550123');
    expect(history).to.contain(`-${formatMinor(firstCost, 'USD')} USD`);
    await site.close();
  });

  it('call 2 after a merchant charge of 1.50 through the API announces the lower balance', async () => {
    const res = await fetch(`${server.url}/v1/authorizations`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${demoMerchantKey(config.secretKey)}`, 'Content-Type': 'application/json', 'Idempotency-Key': 'sandbox-e2e-1' },
      body: JSON.stringify({ card_number: cardNumber, pin, amount: 150, currency: 'USD', capture: true, description: 'coffee' }),
    });
    expect(res.status).to.equal(201);
    expect(await available()).to.equal(1000 - firstCost - 150);
    await page.goto(`${server.url}/phone`);
    const heard = await callAndLogIn();
    expect(heard).to.deep.equal(['you_have', ...sayMoney('en', { amount_minor: 1000 - firstCost - 150, currency: 'USD' })].map((id) => `en/${id}`));
    await page.getByRole('button', { name: 'Hang up' }).click();
    await page.locator('#status', { hasText: 'Call ended' }).waitFor();
  });
});
