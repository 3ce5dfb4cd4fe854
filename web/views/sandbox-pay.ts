import type { SandboxSession } from '../../billing/payments/sandbox-payments';
import { html } from '../html';
import type { SafeHtml } from '../html';
import { csrfField, errorSummary, input } from './form-parts';
import { money } from './format';

/** The sandbox provider's own payment page: loudly marked, with the test card numbers on it. */
export function sandboxPayView(s: SandboxSession, csrf: string, error?: string, values: Record<string, string> = {}): SafeHtml {
  return html`<div class="sandbox-banner" role="note"><strong>SANDBOX — no real money.</strong> This is a test payment page. Never enter a real card here.</div>
<h1>Test payment</h1>
<p class="lead">${s.description} · <strong>${money(s.amount_minor, s.currency)}</strong></p>
${errorSummary(error ? { test_card: error } : {})}
<form method="post" action="/sandbox-pay/${s.id}" novalidate class="card-form narrow">
  ${csrfField(csrf)}
  ${input({ name: 'test_card', label: 'Test card number', value: values.test_card ?? '', required: true, autocomplete: 'off', inputmode: 'numeric', maxlength: 23, error, extraClass: 'mono-input' })}
  <button type="submit" class="button">Pay ${money(s.amount_minor, s.currency)}</button>
  <a class="button secondary" href="${s.cancel_url}">Cancel</a>
</form>
<table class="test-cards">
  <caption>Test cards</caption>
  <thead><tr><th scope="col">Card number</th><th scope="col">Result</th></tr></thead>
  <tbody>
    <tr><td class="mono">4242 4242 4242 4242</td><td>Payment succeeds</td></tr>
    <tr><td class="mono">4000 0000 0000 0002</td><td>Payment is declined</td></tr>
  </tbody>
</table>`;
}
