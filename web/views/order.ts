import type { OutboxRow } from '../../billing/mail/outbox';
import type { Order } from '../../billing/orders/order';
import { isGift } from '../../billing/orders/order';
import { html } from '../html';
import type { SafeHtml } from '../html';
import { csrfField } from './form-parts';
import { dateTime, day, groupDigits, money, when } from './format';

export interface OrderViewModel {
  order: Order;
  mails: readonly OutboxRow[];
  csrf: string;
  /** This browser bought the order (may reveal the card once). */
  ownSession: boolean;
  /** Where to continue paying while the order is pending. */
  payUrl: string | null;
  notice?: string;
  error?: string;
  now_ms: number;
}

function mailState(rows: readonly OutboxRow[], send_at_ms: number | null, now_ms: number): SafeHtml | string {
  const live = rows.filter((r) => r.status !== 'superseded');
  const last = live[live.length - 1];
  if (!last) return 'not scheduled';
  if (last.status === 'sent') return html`sent ${when(last.sent_at_ms!)}`;
  if (last.status === 'failed') return 'could not be delivered';
  if (last.attempts > 0) return 'delivery is being retried';
  return send_at_ms !== null && send_at_ms > now_ms ? html`scheduled for ${when(send_at_ms)}` : 'being sent';
}

export function orderView(m: OrderViewModel): SafeHtml {
  const o = m.order;
  const amount = money(o.amount_minor, o.currency);
  const head = html`${m.notice ? html`<p class="notice" role="status">${m.notice}</p>` : ''}${m.error ? html`<div class="error-summary" role="alert"><p>${m.error}</p></div>` : ''}`;
  if (o.status === 'pending') {
    return html`${head}<h1>Waiting for your payment</h1>
<p class="lead">Order <span class="mono">${o.id}</span> · ${amount}</p>
<p>We have not received the payment yet. If you just paid, check again in a moment.</p>
<p class="actions">${m.payUrl ? html`<a class="button" href="${m.payUrl}">Pay now</a> ` : ''}<a class="button secondary" href="/orders/${o.id}/return">Check again</a></p>`;
  }
  if (o.status === 'failed') {
    return html`${head}<h1>We could not complete this order</h1>
<p class="lead">Order <span class="mono">${o.id}</span> · ${amount}</p>
<p>Your payment was received but ${o.kind === 'recharge' ? html`the card ending ${o.card_last4} could not be recharged` : 'no card could be issued'} (${o.failure_code}). It will be refunded; contact support with the order number.</p>`;
  }
  const receipt = m.mails.filter((r) => r.kind === 'receipt');
  if (o.kind === 'recharge') {
    return html`${head}<h1>Card recharged</h1>
<p class="lead">${amount} was added to the card ending <strong>${o.card_last4}</strong>.</p>
<dl class="summary"><div><dt>Order</dt><dd class="mono">${o.id}</dd></div><div><dt>Receipt to</dt><dd>${o.buyer_email} — ${mailState(receipt, null, m.now_ms)}</dd></div></dl>
<p><a href="/balance">Check the balance</a></p>`;
  }
  if (isGift(o)) {
    const gifts = m.mails.filter((r) => r.kind === 'gift');
    return html`${head}<h1>Your gift card is paid</h1>
<p class="lead">${amount} for <strong>${o.recipient_name}</strong> (${o.recipient_email}), card ending ${o.card_last4}.</p>
<dl class="summary">
  <div><dt>Gift email</dt><dd>${mailState(gifts, o.kind === 'card' ? o.send_at_ms : null, m.now_ms)}</dd></div>
  <div><dt>Send date</dt><dd>${o.send_at_ms ? day(o.send_at_ms) : 'right after payment'}</dd></div>
  <div><dt>Opened</dt><dd>${o.claimed_at_ms ? html`the PIN was revealed ${when(o.claimed_at_ms)}` : 'not yet'}</dd></div>
  <div><dt>Receipt to</dt><dd>${o.buyer_email} — ${mailState(receipt, null, m.now_ms)}</dd></div>
  <div><dt>Order</dt><dd class="mono">${o.id}</dd></div>
</dl>
${o.claimed_at_ms === null ? html`<form method="post" action="/orders/${o.id}/resend" class="inline-form">
  ${csrfField(m.csrf)}
  <p class="hint">Lost email? Resending makes a new link; the old one stops working.</p>
  <button type="submit" class="button secondary">Resend gift email</button>
</form>` : ''}`;
  }
  const hidden = o.revealed_at_ms === null && o.secret_enc !== null;
  const canReveal = m.ownSession && hidden;
  return html`${head}<h1>Your card is ready</h1>
<p class="lead">${amount} on the card ending <strong>${o.card_last4}</strong>.</p>
${canReveal ? html`<form method="post" action="/orders/${o.id}/reveal" class="reveal-box">
  ${csrfField(m.csrf)}
  <p><strong>The card number and PIN are shown only once.</strong> Have a pen ready or a password manager open.</p>
  <button type="submit" class="button">Show card number and PIN</button>
</form>` : hidden ? html`<form method="post" action="/orders/${o.id}/reveal-link" class="reveal-box">
  ${csrfField(m.csrf)}
  <p>To see the card number and PIN, open the one-time link in your receipt email (it works once, in any browser).</p>
  <p class="hint">No email, or the link expired? We send a new link to ${o.buyer_email}; links sent before stop working.</p>
  <button type="submit" class="button secondary">Email me a new link</button>
</form>` : html`<p class="notice">${o.revealed_at_ms ? html`The card number and PIN were shown on ${dateTime(o.revealed_at_ms)}. For your safety they cannot be shown again.` : 'The card number and PIN can no longer be shown.'}</p>`}
<dl class="summary"><div><dt>Order</dt><dd class="mono">${o.id}</dd></div><div><dt>Receipt to</dt><dd>${o.buyer_email} — ${mailState(receipt, null, m.now_ms)}</dd></div>${hidden && o.reveal_expires_at_ms !== null ? html`<div><dt>Link valid until</dt><dd>${when(o.reveal_expires_at_ms)}</dd></div>` : ''}</dl>`;
}

/** The one page that shows a card's number and PIN (own purchase, or a claimed gift). */
export function revealedCardView(o: { number: string; pin: string; amount: string; title: string; intro: string; message?: string | null }): SafeHtml {
  return html`<h1>${o.title}</h1>
<p class="lead">${o.intro}</p>
${o.message ? html`<blockquote class="gift-message">${o.message}</blockquote>` : ''}
<div class="plastic" aria-label="Your card">
  <p class="plastic-brand">Cyber Card · ${o.amount}</p>
  <p class="plastic-label" id="card-number-label">Card number</p>
  <p class="plastic-number mono" aria-labelledby="card-number-label" data-testid="card-number">${groupDigits(o.number)}</p>
  <p class="plastic-label" id="pin-label">PIN</p>
  <p class="plastic-pin mono" aria-labelledby="pin-label" data-testid="card-pin">${o.pin}</p>
</div>
<p class="warning" role="note"><strong>Write these down now.</strong> This page is shown once: reloading or coming back will not show the PIN again.</p>
<p><a href="/balance">Check balance and history</a></p>`;
}
