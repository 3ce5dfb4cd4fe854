import { html } from '../html';
import type { SafeHtml } from '../html';
import { formatMinor } from '../../billing/money/money';

export const money = (minor: number, currency: string): string => `${formatMinor(minor, currency)} ${currency}`;
export const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
export const dateTime = (ms: number): string => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
/** A date and time that never breaks inside (on a phone it wrapped at the hyphens). */
export const when = (ms: number): SafeHtml => html`<span class="nowrap">${day(ms)}</span> <span class="nowrap">${new Date(ms).toISOString().slice(11, 16)} UTC</span>`;
/** "7123 4567 8901 2345" — only ever on the one page that reveals a card. */
export const groupDigits = (n: string): string => n.replace(/(\d{4})(?=\d)/g, '$1 ');
