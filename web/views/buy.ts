import { formatMinor } from '../../billing/money/money';
import { html } from '../html';
import type { SafeHtml } from '../html';
import type { FieldErrors } from './form-parts';
import { amountPicker, csrfField, errorSummary, input, textarea } from './form-parts';

export interface BuyViewModel {
  csrf: string;
  currency: string;
  presets: readonly number[];
  min: number;
  max: number;
  values: Record<string, string>;
  errors: FieldErrors;
  general?: string;
}

export function buyView(m: BuyViewModel): SafeHtml {
  const v = (k: string) => m.values[k] ?? '';
  const presets = m.presets.map((p) => formatMinor(p, m.currency));
  const mode = v('mode') === 'gift' ? 'gift' : 'self';
  return html`<h1>Buy a prepaid card</h1>
${errorSummary(m.errors, m.general)}
<form method="post" action="/buy" novalidate class="card-form">
  ${csrfField(m.csrf)}
  ${amountPicker({ presets, currency: m.currency, selected: v('custom_amount') ? 'custom' : v('preset') || (presets[1] ?? presets[0]!), custom: v('custom_amount'), min: formatMinor(m.min, m.currency), max: formatMinor(m.max, m.currency), error: m.errors.amount })}
  ${input({ name: 'buyer_email', label: 'Your email address', type: 'email', value: v('buyer_email'), required: true, autocomplete: 'email', hint: 'We send your receipt here.', error: m.errors.buyer_email, maxlength: 254 })}
  <fieldset class="field${m.errors.mode ? ' field-error' : ''}" id="mode"${m.errors.mode ? html` aria-describedby="mode-error"` : ''}>
    <legend>Who is the card for?</legend>
    ${m.errors.mode ? html`<p class="error" id="mode-error"><span class="visually-hidden">Error:</span> ${m.errors.mode}</p>` : ''}
    <div class="choice"><input type="radio" id="mode-self" name="mode" value="self"${mode === 'self' ? html` checked` : ''}><label for="mode-self">For me — show the card after payment</label></div>
    <div class="choice"><input type="radio" id="mode-gift" name="mode" value="gift"${mode === 'gift' ? html` checked` : ''}><label for="mode-gift">A gift — email it to someone</label></div>
  </fieldset>
  <fieldset class="field gift-fields">
    <legend>Gift details <span class="optional">(only for a gift)</span></legend>
    ${input({ name: 'recipient_name', label: 'Recipient’s name', value: v('recipient_name'), required: true, autocomplete: 'off', error: m.errors.recipient_name, maxlength: 100 })}
    ${input({ name: 'recipient_email', label: 'Recipient’s email address', type: 'email', value: v('recipient_email'), required: true, autocomplete: 'off', error: m.errors.recipient_email, maxlength: 254 })}
    ${input({ name: 'sender_name', label: 'Your name', value: v('sender_name'), autocomplete: 'name', hint: 'Shown in the gift email, so they know who it is from.', error: m.errors.sender_name, maxlength: 100 })}
    ${textarea({ name: 'gift_message', label: 'Message', value: v('gift_message'), maxlength: 500, hint: 'Up to 500 characters, shown in the gift email.', error: m.errors.gift_message })}
    ${input({ name: 'send_date', label: 'Send on', type: 'date', value: v('send_date'), hint: 'Leave empty to send right after payment.', error: m.errors.send_date })}
  </fieldset>
  <button type="submit" class="button">Continue to payment</button>
</form>`;
}
