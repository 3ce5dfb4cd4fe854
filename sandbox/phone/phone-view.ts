import { randomInt } from 'node:crypto';
import { html } from '../../web/html';
import type { SafeHtml } from '../../web/html';
import { groupDigits, money } from '../../web/views/format';
import type { DemoInfo } from '../demo/demo-info';
import { centsToMinor, DEMO_RATES } from '../demo/demo-data';
import { SANDBOX_TEST_NUMBERS } from '../sandbox-far-ends';

export const SANDBOX_ACCESS_NUMBER = '18005550100';
/**
 * A fresh caller number per visit: every visitor shares this sandbox, so a fixed default would let
 * one visitor's PIN-less registration log every other visitor into their card.
 */
export function randomCallerNumber(): string {
  return `+1555${String(randomInt(1_000_000, 10_000_000))}`;
}

const KEYS: ReadonlyArray<readonly [string, string, string]> = [
  ['1', '', '1'], ['2', 'ABC', '2'], ['3', 'DEF', '3'],
  ['4', 'GHI', '4'], ['5', 'JKL', '5'], ['6', 'MNO', '6'],
  ['7', 'PQRS', '7'], ['8', 'TUV', '8'], ['9', 'WXYZ', '9'],
  ['*', '', 'star'], ['0', '+', '0'], ['#', '', 'pound (hash)'],
];

const pretty = (n: string): string => `+${n.slice(0, 1)} ${n.slice(1, 4)} ${n.slice(4, 7)} ${n.slice(7)}`;

function demoSection(demo: DemoInfo | null, publicUrl: string): SafeHtml {
  if (!demo || demo.cards.length === 0) {
    return html`<section class="phone-section" aria-labelledby="demo-title"><h2 id="demo-title">Cards to call with</h2>
<p>No demo cards in this database (they are seeded on the first start of an empty embedded database, unless <code>--no-demo</code>). Buy one on the <a href="/buy">shop</a> (sandbox payments) or generate some with <code>npx prepaid cards generate</code>.</p></section>`;
  }
  const key = demo.merchant?.api_key;
  return html`<section class="phone-section" aria-labelledby="demo-title"><h2 id="demo-title">Demo cards</h2>
<p>Seeded for this sandbox. These are the only cards whose number and PIN are ever shown again; during a call the buttons key them in for you.</p>
<div class="table-scroll" role="region" aria-labelledby="demo-title" tabindex="0">
<table class="demo-cards">
  <thead><tr><th scope="col">Card number</th><th scope="col">PIN</th><th scope="col" class="num">Available</th><th scope="col">Key in during a call</th></tr></thead>
  <tbody>
  ${demo.cards.map((c) => html`<tr>
    <td class="mono nowrap">${groupDigits(c.number)}</td>
    <td class="mono">${c.pin}</td>
    <td class="num nowrap">${money(c.available_minor, c.currency)}</td>
    <td class="key-in"><button type="button" class="small-button" data-digits="${c.number}#" disabled aria-label="Key in card number ending ${c.number.slice(-4)}, then pound">Number #</button>
      <button type="button" class="small-button" data-digits="${c.pin}#" disabled aria-label="Key in PIN of card ending ${c.number.slice(-4)}, then pound">PIN #</button></td>
  </tr>`)}
  </tbody>
</table></div>
${key ? html`<h3>Demo merchant</h3>
<p>The same cards can be charged online through the <a href="/docs">settlement API</a> with the demo merchant's key
<code class="mono break">${key}</code>, for example:</p>
<pre class="code">curl -s ${publicUrl}/v1/authorizations -H 'Authorization: Bearer ${key}' \\
  -H 'Content-Type: application/json' -H 'Idempotency-Key: demo-1' \\
  -d '{"card_number":"${demo.cards[0]!.number}","pin":"${demo.cards[0]!.pin}","amount":150,"currency":"${demo.cards[0]!.currency}","capture":true}'</pre>` : ''}
</section>`;
}

export function phoneView(m: { demo: DemoInfo | null; publicUrl: string; currency: string }): SafeHtml {
  return html`<link rel="stylesheet" href="/phone/assets/phone.css">
<script src="/phone/assets/phone.js" defer></script>
<p class="phone-sandbox" role="note"><strong>SANDBOX</strong> telephony — no Asterisk is configured, so calls go to a built-in simulator: nobody is really dialled, but the card balances, holds and charges are real in this database.</p>
<h1>Sandbox phone</h1>
<p class="lead">Call the card service's access number <strong class="nowrap">${pretty(SANDBOX_ACCESS_NUMBER)}</strong> as a caller would: pick a language, key in a card number and <kbd>#</kbd>, the PIN and <kbd>#</kbd>, hear the balance, then dial a number and <kbd>#</kbd>.</p>
<noscript><p class="warning">The sandbox phone needs JavaScript (one small script from this site). Everything else on the site works without it.</p></noscript>
<div class="phone-layout">
  <section class="handset" aria-labelledby="handset-title">
    <h2 id="handset-title" class="visually-hidden">Phone</h2>
    <form id="dial-form" class="dial-form" action="/phone" method="get">
      <label for="caller">Your phone number (caller ID)</label>
      <input type="text" id="caller" name="caller" value="${randomCallerNumber()}" inputmode="tel" autocomplete="off" maxlength="16" pattern="\\+?[0-9]{3,15}" aria-describedby="caller-hint">
      <p id="caller-hint" class="hint">A registered number logs in without a PIN.</p>
      <button type="submit" id="call-button" class="call-button">Call ${pretty(SANDBOX_ACCESS_NUMBER)}</button>
    </form>
    <div class="screen">
      <p id="status" class="status" role="status" aria-live="polite">Ready — press Call.</p>
      <p class="typed" aria-label="Keys pressed"><span id="typed" class="mono"></span></p>
      <dl class="meter">
        <div><dt>Dialled</dt><dd id="m-dest">—</dd></div>
        <div><dt>Connected for</dt><dd id="m-time">—</dd></div>
        <div><dt>Time left</dt><dd id="m-left">—</dd></div>
        <div><dt>Cost so far</dt><dd id="m-cost">—</dd></div>
        <div><dt>Card available</dt><dd id="m-bal">—</dd></div>
      </dl>
    </div>
    <div class="keypad" role="group" aria-label="Keypad (the keyboard's digits, * and # work too)">
      ${KEYS.map(([k, letters, name]) => html`<button type="button" class="key" data-key="${k}" aria-label="${name}" disabled><span class="key-main" aria-hidden="true">${k}</span><span class="key-sub" aria-hidden="true">${letters}</span></button>`)}
    </div>
    <button type="button" id="hangup-button" class="hangup-button" disabled>Hang up</button>
  </section>
  <section class="transcript-box" aria-labelledby="transcript-title">
    <h2 id="transcript-title">What the line says</h2>
    <p class="choice"><input type="checkbox" id="sound" checked><label for="sound">Play the prompts' audio</label></p>
    <ol id="transcript" class="transcript" aria-live="polite" aria-relevant="additions"><li class="muted">Nothing yet.</li></ol>
  </section>
</div>
${demoSection(m.demo, m.publicUrl)}
<section class="phone-section" aria-labelledby="numbers-title">
<h2 id="numbers-title">Numbers to dial</h2>
<p>When asked for the destination, key a US or Canadian number as you would in the US (<span class="mono">2125550123#</span>), any other with <span class="mono">011</span> or <span class="mono">00</span> first (<span class="mono">011447700900123#</span>), then <kbd>#</kbd>. Rates of the demo deck, billed in 6-second steps:</p>
<div class="table-scroll" role="region" aria-labelledby="numbers-title" tabindex="0">
<table>
  <thead><tr><th scope="col">Prefix</th><th scope="col">Destination</th><th scope="col" class="num">Per minute</th><th scope="col" class="num">Connect fee</th></tr></thead>
  <tbody>${DEMO_RATES.map((r) => html`<tr><td class="mono">${r.prefix}</td><td>${r.destination}</td><td class="num nowrap">${r.blocked ? 'blocked' : money(centsToMinor(r.cents_per_minute, m.currency), m.currency)}</td><td class="num nowrap">${!r.blocked && r.connect_fee_cents ? money(centsToMinor(r.connect_fee_cents, m.currency), m.currency) : '—'}</td></tr>`)}</tbody>
</table></div>
<p>The far end of every number rings for 3 seconds, answers and stays on the line, except numbers ending in:</p>
<ul class="test-numbers">${SANDBOX_TEST_NUMBERS.map((t) => html`<li><span class="mono">…${t.suffix}</span> — ${t.outcome}</li>`)}</ul>
<p>After the call, its charge is in the card's <a href="/balance">history</a>.</p>
</section>`;
}
