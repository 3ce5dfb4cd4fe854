import { formatMinor } from '../../billing/money/money';
import { html } from '../html';
import type { SafeHtml } from '../html';
import type { FieldErrors } from './form-parts';
import { amountPicker, csrfField, errorSummary, input } from './form-parts';

export function rechargeView(m: { csrf: string; currency: string; presets: readonly number[]; min: number; max: number; values: Record<string, string>; errors: FieldErrors; general?: string }): SafeHtml {
  const v = (k: string) => m.values[k] ?? '';
  const presets = m.presets.map((p) => formatMinor(p, m.currency));
  return html`<h1>Recharge a card</h1>
<p class="lead">Add money to any card with its number. The PIN is not needed to add money.</p>
${errorSummary(m.errors, m.general)}
<form method="post" action="/recharge" novalidate class="card-form">
  ${csrfField(m.csrf)}
  ${input({ name: 'card_number', label: 'Card number', value: v('card_number'), required: true, autocomplete: 'off', inputmode: 'numeric', hint: '16 digits, spaces are fine.', error: m.errors.card_number, maxlength: 23, extraClass: 'mono-input' })}
  ${amountPicker({ presets, currency: m.currency, selected: v('custom_amount') ? 'custom' : v('preset') || presets[0]!, custom: v('custom_amount'), min: formatMinor(m.min, m.currency), max: formatMinor(m.max, m.currency), error: m.errors.amount })}
  ${input({ name: 'buyer_email', label: 'Your email address', type: 'email', value: v('buyer_email'), required: true, autocomplete: 'email', hint: 'We send your receipt here.', error: m.errors.buyer_email, maxlength: 254 })}
  <button type="submit" class="button">Continue to payment</button>
</form>`;
}
