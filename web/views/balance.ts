import type { Card } from '../../billing/cards/card';
import type { HistoryItem } from '../../billing/cards/card-history';
import { html } from '../html';
import type { SafeHtml } from '../html';
import type { FieldErrors } from './form-parts';
import { csrfField, errorSummary, input } from './form-parts';
import { day, money, when } from './format';

export function balanceFormView(m: { csrf: string; values: Record<string, string>; errors: FieldErrors; general?: string }): SafeHtml {
  return html`<h1>Balance and history</h1>
<p class="lead">Enter the card number and PIN. After 5 wrong PINs — here, by phone or in shops — the card is locked for a while.</p>
${errorSummary(m.errors, m.general)}
<form method="post" action="/balance" novalidate class="card-form narrow">
  ${csrfField(m.csrf)}
  ${input({ name: 'card_number', label: 'Card number', value: m.values.card_number ?? '', required: true, autocomplete: 'off', inputmode: 'numeric', hint: '16 digits, spaces are fine.', error: m.errors.card_number, maxlength: 23, extraClass: 'mono-input' })}
  ${input({ name: 'pin', label: 'PIN', type: 'password', required: true, autocomplete: 'off', inputmode: 'numeric', error: m.errors.pin, maxlength: 12 })}
  <button type="submit" class="button">Show balance</button>
</form>`;
}

const KIND_LABEL: Record<string, string> = {
  sale: 'Card purchase', issue: 'Card issued', recharge: 'Recharge', call_charge: 'Phone call', capture: 'Payment',
  refund: 'Refund', adjustment: 'Adjustment', breakage: 'Expired balance', transfer: 'Transfer',
};

function duration(s: number): string {
  const m = Math.floor(s / 60);
  return m ? `${m} min ${s % 60} s` : `${s} s`;
}

export function balanceView(card: Card, history: readonly HistoryItem[], now_ms: number): SafeHtml {
  const available = card.balance_minor - card.pending_minor;
  return html`<h1>Card •••• ${card.last4}</h1>
<dl class="summary">
  <div><dt>Balance</dt><dd class="big">${money(card.balance_minor, card.currency)}</dd></div>
  <div><dt>Available now</dt><dd>${money(available, card.currency)}${card.pending_minor ? html` <span class="hint">(${money(card.pending_minor, card.currency)} on hold)</span>` : ''}</dd></div>
  <div><dt>Status</dt><dd>${card.expires_at_ms !== null && card.expires_at_ms <= now_ms ? 'expired' : card.status}</dd></div>
  ${card.expires_at_ms !== null ? html`<div><dt>Expires</dt><dd>${day(card.expires_at_ms)}</dd></div>` : ''}
</dl>
<h2 id="history-title">History</h2>
${history.length === 0 ? html`<p>No activity yet.</p>` : html`<div class="table-scroll" role="region" aria-labelledby="history-title" tabindex="0">
<table class="history">
  <thead><tr><th scope="col">Date</th><th scope="col">What</th><th scope="col">Details</th><th scope="col" class="num">Amount</th></tr></thead>
  <tbody>
  ${history.map((h) => html`<tr class="kind-${h.kind}">
    <td>${when(h.at_ms)}</td>
    <td>${KIND_LABEL[h.kind] ?? h.kind}</td>
    <td>${h.label ?? (h.kind === 'sale' || h.kind === 'recharge' ? 'on the website' : '')}${h.kind === 'call_charge' && h.billed_seconds !== null ? html` <span class="hint">· ${duration(h.billed_seconds)}</span>` : ''}</td>
    <td class="num ${h.amount_minor < 0 ? 'debit' : 'credit'}">${h.amount_minor > 0 ? '+' : ''}${money(h.amount_minor, h.currency)}</td>
  </tr>`)}
  </tbody>
</table></div>`}
<p><a href="/balance">Check another card</a> · <a href="/recharge">Recharge a card</a></p>`;
}
