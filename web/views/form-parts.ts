import { html } from '../html';
import type { SafeHtml } from '../html';

export type FieldErrors = Record<string, string | undefined>;

export const csrfField = (token: string): SafeHtml => html`<input type="hidden" name="_csrf" value="${token}">`;

/** The list of problems at the top of a form, linking to each field (focus lands here). */
export function errorSummary(errors: FieldErrors, general?: string): SafeHtml | '' {
  const items = Object.entries(errors).filter(([, m]) => m);
  if (!items.length && !general) return '';
  return html`<div class="error-summary" role="alert" tabindex="-1" id="error-summary">
  <h2>There is a problem</h2>
  <ul>
    ${general ? html`<li>${general}</li>` : ''}
    ${items.map(([field, m]) => html`<li><a href="#${field}">${m}</a></li>`)}
  </ul>
</div>`;
}

export interface InputOptions {
  name: string;
  label: string;
  value?: string;
  type?: string;
  hint?: string;
  error?: string;
  required?: boolean;
  autocomplete?: string;
  inputmode?: string;
  maxlength?: number;
  pattern?: string;
  extraClass?: string;
}

export function input(o: InputOptions): SafeHtml {
  const describedBy = [o.hint ? `${o.name}-hint` : '', o.error ? `${o.name}-error` : ''].filter(Boolean).join(' ');
  return html`<div class="field${o.error ? ' field-error' : ''}${o.extraClass ? ` ${o.extraClass}` : ''}">
  <label for="${o.name}">${o.label}${o.required ? '' : html` <span class="optional">(optional)</span>`}</label>
  ${o.hint ? html`<p class="hint" id="${o.name}-hint">${o.hint}</p>` : ''}
  ${o.error ? html`<p class="error" id="${o.name}-error"><span class="visually-hidden">Error:</span> ${o.error}</p>` : ''}
  <input id="${o.name}" name="${o.name}" type="${o.type ?? 'text'}" value="${o.value ?? ''}"${o.required ? html` required` : ''}${o.autocomplete ? html` autocomplete="${o.autocomplete}"` : ''}${o.inputmode ? html` inputmode="${o.inputmode}"` : ''}${o.maxlength ? html` maxlength="${o.maxlength}"` : ''}${o.pattern ? html` pattern="${o.pattern}"` : ''}${describedBy ? html` aria-describedby="${describedBy}"` : ''}${o.error ? html` aria-invalid="true"` : ''}>
</div>`;
}

export function textarea(o: { name: string; label: string; value?: string; hint?: string; error?: string; maxlength: number }): SafeHtml {
  const describedBy = [o.hint ? `${o.name}-hint` : '', o.error ? `${o.name}-error` : ''].filter(Boolean).join(' ');
  return html`<div class="field${o.error ? ' field-error' : ''}">
  <label for="${o.name}">${o.label} <span class="optional">(optional)</span></label>
  ${o.hint ? html`<p class="hint" id="${o.name}-hint">${o.hint}</p>` : ''}
  ${o.error ? html`<p class="error" id="${o.name}-error"><span class="visually-hidden">Error:</span> ${o.error}</p>` : ''}
  <textarea id="${o.name}" name="${o.name}" rows="3" maxlength="${o.maxlength}"${describedBy ? html` aria-describedby="${describedBy}"` : ''}${o.error ? html` aria-invalid="true"` : ''}>${o.value ?? ''}</textarea>
</div>`;
}

/**
 * Preset amounts as radio buttons plus a custom amount field, in one fieldset. Without JavaScript
 * nothing ties the field to "Other", so an amount typed in it wins (web/forms.ts parseAmount).
 */
export function amountPicker(o: { presets: readonly string[]; currency: string; selected: string; custom: string; min: string; max: string; error?: string }): SafeHtml {
  return html`<fieldset class="field amount-picker${o.error ? ' field-error' : ''}" id="amount"${o.error ? html` aria-describedby="amount-error"` : ''}>
  <legend>Amount (${o.currency})</legend>
  ${o.error ? html`<p class="error" id="amount-error"><span class="visually-hidden">Error:</span> ${o.error}</p>` : ''}
  <div class="chips">
    ${o.presets.map((p, i) => html`<span class="chip"><input type="radio" id="preset-${i}" name="preset" value="${p}"${o.selected === p ? html` checked` : ''}><label for="preset-${i}">${p}</label></span>`)}
    <span class="chip"><input type="radio" id="preset-custom" name="preset" value="custom"${o.selected === 'custom' ? html` checked` : ''}><label for="preset-custom">Other</label></span>
  </div>
  <div class="custom-amount">
    <label for="custom_amount">Other amount</label>
    <p class="hint" id="custom_amount-hint">Between ${o.min} and ${o.max} ${o.currency}. An amount typed here is the one you pay, whatever is selected above.</p>
    <input id="custom_amount" name="custom_amount" type="text" inputmode="decimal" value="${o.custom}" aria-describedby="custom_amount-hint" maxlength="12">
  </div>
</fieldset>`;
}
