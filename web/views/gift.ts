import type { Order } from '../../billing/orders/order';
import { html } from '../html';
import type { SafeHtml } from '../html';
import { csrfField } from './form-parts';
import { dateTime, money } from './format';

export function giftLandingView(o: Order, token: string, csrf: string): SafeHtml {
  return html`<h1>${o.recipient_name ? html`${o.recipient_name}, you` : 'You'} received a prepaid card</h1>
<p class="lead">${o.sender_name ? html`From ${o.sender_name}: a` : 'A'} card worth <strong>${money(o.amount_minor, o.currency)}</strong>, ending ${o.card_last4}.</p>
${o.gift_message ? html`<blockquote class="gift-message">${o.gift_message}</blockquote>` : ''}
<form method="post" action="/gift/${token}" class="reveal-box">
  ${csrfField(csrf)}
  <p><strong>The PIN is shown only once.</strong> When you continue, note the card number and PIN down; this link then stops showing them.</p>
  <button type="submit" class="button">Show my card number and PIN</button>
</form>`;
}

export function giftUsedView(o: Order, support: string): SafeHtml {
  return html`<h1>This gift link was already used</h1>
<p class="lead">The PIN of the card ending ${o.card_last4} was shown ${o.claimed_at_ms ? `on ${dateTime(o.claimed_at_ms)}` : 'already'}. For safety it is shown only once.</p>
<p>If that was not you, write to <a href="mailto:${support}">${support}</a>. You can still <a href="/balance">check the balance</a> with the number and PIN.</p>`;
}
