import { z } from 'zod';
import { formatMinor, parseDecimal } from '../billing/money/money';
import type { SiteConfig } from './site-deps';
import type { FieldErrors } from './views/form-parts';

/** Form input as the browser sends it (urlencoded: every value a string, or absent). */
export type FormBody = Record<string, unknown>;

const str = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');

const DAY_MS = 86_400_000;

const email = (label: string) => z.string().trim().min(1, `Enter ${label}`).max(254, `${label[0]!.toUpperCase()}${label.slice(1)} is too long`).pipe(z.email(`Enter ${label} like name@example.com`));

export interface AmountInput { preset: string; custom_amount: string }

/**
 * Preset or custom amount → minor units within the configured limits, or an error message.
 * An amount typed in "Other amount" wins over the selected preset: without JavaScript the preselected
 * preset stays checked while the buyer types, and buying that preset instead would be a silent
 * different amount. A typed amount that is not valid is an error, never a fallback to the preset.
 */
export function parseAmount(body: FormBody, site: SiteConfig, currency: string): { amount_minor?: number; error?: string } {
  const typed = str(body.custom_amount);
  const preset = typed ? 'custom' : str(body.preset);
  const text = preset === 'custom' || preset === '' ? typed : preset;
  const min = formatMinor(site.minAmountMinor, currency);
  const max = formatMinor(site.maxAmountMinor, currency);
  if (!text) return { error: 'Choose an amount, or enter another amount' };
  let minor: number;
  try {
    minor = parseDecimal(text, currency);
  } catch {
    return { error: `Enter the amount as a number, like 25 or 25.00` };
  }
  if (preset !== 'custom' && preset !== '' && !site.presetAmountsMinor.includes(minor)) return { error: 'Choose one of the amounts shown' };
  if (minor < site.minAmountMinor || minor > site.maxAmountMinor) return { error: `The amount must be between ${min} and ${max} ${currency}` };
  return { amount_minor: minor };
}

/** Errors in the order the fields appear on the page (the summary lists them so). */
function inOrder(errors: FieldErrors, fields: readonly string[]): FieldErrors {
  const out: FieldErrors = {};
  for (const f of fields) if (errors[f]) out[f] = errors[f];
  for (const [k, v] of Object.entries(errors)) if (!(k in out)) out[k] = v;
  return out;
}

function collect(result: z.ZodSafeParseResult<unknown>, errors: FieldErrors): void {
  if (result.success) return;
  for (const issue of result.error.issues) {
    const field = String(issue.path[0] ?? 'form');
    errors[field] ??= issue.message;
  }
}

const buySchema = z.object({
  buyer_email: email('your email address'),
  mode: z.enum(['self', 'gift'], { message: 'Choose who the card is for' }),
});

/** PostgreSQL refuses NUL in text, and no control character belongs in a name or a message (newlines may in a message). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const NO_CONTROL = /^[^\u0000-\u001f\u007f]*$/;
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const NO_CONTROL_MULTILINE = /^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/;

const giftSchema = z.object({
  recipient_name: z.string().trim().min(1, 'Enter the recipient’s name').max(100, 'The name must be 100 characters or fewer').regex(NO_CONTROL, 'The name must not contain control characters'),
  sender_name: z.string().trim().max(100, 'Your name must be 100 characters or fewer').regex(NO_CONTROL, 'Your name must not contain control characters'),
  recipient_email: email('the recipient’s email address'),
  gift_message: z.string().trim().max(500, 'The message must be 500 characters or fewer').regex(NO_CONTROL_MULTILINE, 'The message must not contain control characters'),
  send_date: z.string().trim().regex(/^(\d{4}-\d{2}-\d{2})?$/, 'Enter the date like 2026-12-24'),
});

export interface BuyForm {
  amount_minor: number;
  buyer_email: string;
  gift: { recipient_email: string; recipient_name: string; sender_name: string | null; message: string | null; send_at_ms: number | null } | null;
}

/** The gift details part of the buy form: filled in while "For me" is chosen, they are an error, never dropped. */
const GIFT_FIELDS = ['recipient_name', 'recipient_email', 'sender_name', 'gift_message', 'send_date'] as const;

/** Validates the buy form; `now_ms` decides what "today" is (send dates are UTC days). */
export function parseBuyForm(body: FormBody, site: SiteConfig, currency: string, now_ms: number): { value?: BuyForm; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const amount = parseAmount(body, site, currency);
  if (amount.error) errors.amount = amount.error;
  const base = buySchema.safeParse({ buyer_email: str(body.buyer_email), mode: str(body.mode) || 'self' });
  collect(base, errors);
  let gift: BuyForm['gift'] = null;
  if ((str(body.mode) || 'self') === 'self' && GIFT_FIELDS.some((f) => str(body[f]) !== '')) {
    errors.mode = 'You filled in gift details but chose “For me”. Choose “A gift” to email the card, or empty the gift details.';
  }
  if (str(body.mode) === 'gift') {
    const g = giftSchema.safeParse({ recipient_name: str(body.recipient_name), recipient_email: str(body.recipient_email), sender_name: str(body.sender_name), gift_message: str(body.gift_message), send_date: str(body.send_date) });
    collect(g, errors);
    let send_at_ms: number | null = null;
    const date = str(body.send_date);
    if (date && !errors.send_date) {
      const t = Date.parse(`${date}T00:00:00Z`);
      const today = Math.floor(now_ms / DAY_MS) * DAY_MS;
      if (Number.isNaN(t)) errors.send_date = 'Enter a real date, like 2026-12-24';
      else if (t < today) errors.send_date = 'The send date must be today or later';
      else if (t > today + 366 * DAY_MS) errors.send_date = 'The send date must be within a year';
      else if (t > today) send_at_ms = t;
    }
    if (g.success) gift = { recipient_email: g.data.recipient_email, recipient_name: g.data.recipient_name, sender_name: g.data.sender_name || null, message: g.data.gift_message || null, send_at_ms };
  }
  if (Object.keys(errors).length || !base.success) return { errors };
  return { value: { amount_minor: amount.amount_minor!, buyer_email: base.data.buyer_email, gift }, errors };
}

const cardNumberField = z.string().transform((s) => s.replace(/[\s-]/g, '')).pipe(z.string().min(1, 'Enter the card number').regex(/^\d{16}$/, 'Enter the 16-digit card number'));

export function parseRechargeForm(body: FormBody, site: SiteConfig, currency: string): { value?: { card_number: string; amount_minor: number; buyer_email: string }; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const r = z.object({ card_number: cardNumberField, buyer_email: email('your email address for the receipt') }).safeParse({ card_number: str(body.card_number), buyer_email: str(body.buyer_email) });
  collect(r, errors);
  const amount = parseAmount(body, site, currency);
  if (amount.error) errors.amount = amount.error;
  if (!r.success || amount.error) return { errors: inOrder(errors, ['card_number', 'amount', 'buyer_email']) };
  return { value: { ...r.data, amount_minor: amount.amount_minor! }, errors };
}

export function parseBalanceForm(body: FormBody): { value?: { card_number: string; pin: string }; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const r = z.object({ card_number: cardNumberField, pin: z.string().min(1, 'Enter the PIN').regex(/^\d{4,12}$/, 'The PIN is 4 to 12 digits') }).safeParse({ card_number: str(body.card_number), pin: str(body.pin) });
  collect(r, errors);
  if (!r.success) return { errors };
  return { value: r.data, errors };
}
