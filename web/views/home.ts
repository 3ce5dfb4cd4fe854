import { html } from '../html';
import type { SafeHtml } from '../html';
import { money } from './format';

export function homeView(o: { presets: readonly number[]; currency: string }): SafeHtml {
  return html`<section class="hero">
  <h1>One prepaid card for calls and online payments</h1>
  <p class="lead">Buy a virtual card in a minute, keep it or send it as a gift by email. Spend the same balance on phone calls and with online shops.</p>
  <p class="actions"><a class="button" href="/buy">Buy a card</a> <a class="button secondary" href="/buy?mode=gift">Send a gift card</a></p>
</section>
<section class="cards-grid" aria-label="What you can do">
  <article class="tile">
    <h2><a href="/buy">Buy</a></h2>
    <p>${o.presets.map((p) => money(p, o.currency)).join(' · ')} or any amount you choose. Pay online; your card number and PIN appear once.</p>
  </article>
  <article class="tile">
    <h2><a href="/buy?mode=gift">Gift</a></h2>
    <p>We email the card to your friend on the day you pick, with a link that shows the PIN once.</p>
  </article>
  <article class="tile">
    <h2><a href="/recharge">Recharge</a></h2>
    <p>Top up any card with its number. No PIN needed to add money.</p>
  </article>
  <article class="tile">
    <h2><a href="/balance">Balance &amp; history</a></h2>
    <p>See the balance and one list of calls and payments with the card number and PIN.</p>
  </article>
</section>`;
}
