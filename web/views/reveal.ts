import type { Order } from '../../billing/orders/order';
import { html } from '../html';
import type { SafeHtml } from '../html';
import { csrfField } from './form-parts';
import { dateTime, money } from './format';

/** The receipt's one-time link, opened: shows what it is for; only the button (a POST) reveals. */
export function revealLandingView(o: Order, token: string, csrf: string): SafeHtml {
  return html`<h1>Your prepaid card</h1>
<p class="lead">A card worth <strong>${money(o.amount_minor, o.currency)}</strong>, ending ${o.card_last4}, order <span class="mono">${o.id}</span>.</p>
<form method="post" action="/reveal/${token}" class="reveal-box">
  ${csrfField(csrf)}
  <p><strong>The card number and PIN are shown only once.</strong> Have a pen ready or a password manager open; afterwards this link stops working.</p>
  <button type="submit" class="button">Show card number and PIN</button>
</form>`;
}

/** A reveal that already happened (the buying browser or the one-time link): a clear page, never the card. */
export function alreadyShownView(o: Order, support: string): SafeHtml {
  return html`<h1>The card was already shown</h1>
<p class="lead">The number and PIN of the card ending ${o.card_last4} were shown ${o.revealed_at_ms ? `on ${dateTime(o.revealed_at_ms)}` : 'already'}. For your safety they are shown only once.</p>
<p>If that was not you, write to <a href="mailto:${support}">${support}</a> with the order number <span class="mono">${o.id}</span>. You can <a href="/balance">check the balance</a> with the number and PIN.</p>
<p><a class="button secondary" href="/orders/${o.id}">Go to the order</a></p>`;
}

/** An expired one-time link: the order page mails a new one to the buyer's address. */
export function linkExpiredView(o: Order): SafeHtml {
  return html`<h1>This link has expired</h1>
<p class="lead">For your safety, the one-time link to the card ending ${o.card_last4} worked for a limited time${o.reveal_expires_at_ms ? ` (until ${dateTime(o.reveal_expires_at_ms)})` : ''}. The card and its balance are safe.</p>
<p>From the order page you can have a new link sent to the email address of the order.</p>
<p><a class="button" href="/orders/${o.id}">Go to the order</a></p>`;
}
