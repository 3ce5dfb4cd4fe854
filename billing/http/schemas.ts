import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { ERROR_CODES } from '../shared/errors';
import { isCurrency } from '../money/currency';

extendZodWithOpenApi(z);

/**
 * The request and response schemas of the settlement API. The same objects validate requests
 * (strict: unknown fields are rejected) and generate /openapi.json and /docs.
 */
const cardNumber = z.string().regex(/^\d{16}$/, 'must be a string of 16 digits')
  .openapi({ description: 'The 16-digit card number, as a string.', example: '7123456789012345' });
const pin = z.string().regex(/^\d{4,12}$/, 'must be a string of 4 to 12 digits')
  .openapi({ description: 'The card PIN, as a string of digits.', example: '1234' });
/** Free text without control characters (PostgreSQL refuses NUL in text; none belong in a reference). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const text = (max: number) => z.string().min(1).max(max).regex(/^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/, 'must not contain control characters');
const customerIp = z.union([z.ipv4(), z.ipv6()], { error: 'must be an IPv4 or IPv6 address' })
  .openapi({
    description: 'Optional: the IP address of YOUR customer (the browser or device entering the card), not of your server. '
      + 'Wrong card numbers or PINs are counted per customer address (an IPv6 address by its /64) as well as per merchant: '
      + 'pass it, and one customer mistyping PINs is throttled without your other customers being refused.',
    example: '203.0.113.24',
  });
const amount = z.int().positive().openapi({ description: 'Integer amount in minor units (cents for USD).', example: 1250 });
const currency = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD').refine(isCurrency, 'is not a known ISO 4217 currency')
  .openapi({ description: 'ISO 4217 currency code; must be the card\'s currency.', example: 'USD' });

export const AuthorizeRequest = z.strictObject({
  card_number: cardNumber,
  pin,
  amount,
  currency,
  capture: z.boolean().optional().openapi({ description: 'true charges at once (authorize and capture in one step).', default: false }),
  reference: text(200).optional().openapi({ description: 'Your order reference (up to 200 characters).', example: 'order-1001' }),
  description: text(500).optional().openapi({ description: 'Free text (up to 500 characters).', example: 'Two coffees' }),
  customer_ip: customerIp.optional(),
}).openapi('AuthorizeRequest');

export const CaptureRequest = z.strictObject({
  amount: amount.optional().openapi({ description: 'Amount to capture, at most the authorized amount; default all of it. The rest is released.' }),
}).openapi('CaptureRequest');

export const VoidRequest = z.strictObject({}).openapi('VoidRequest');

export const RefundRequest = z.strictObject({
  authorization_id: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'must be an authorization id').openapi({ example: 'auth_aipqaibhim3kQ9xY2b7TzL1mN0' }),
  amount: amount.optional().openapi({ description: 'Amount to refund; default everything captured and not yet refunded.' }),
  reason: text(500).optional().openapi({ example: 'customer returned the item' }),
}).openapi('RefundRequest');

export const BalanceRequest = z.strictObject({ card_number: cardNumber, pin, customer_ip: customerIp.optional() }).openapi('BalanceRequest');

export const AuthorizationIdParams = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'must be an authorization id').openapi({ param: { name: 'id', in: 'path' }, example: 'auth_aipqaibhim3kQ9xY2b7TzL1mN0' }),
});

export const IdempotencyHeaders = z.object({
  'idempotency-key': z.string().min(1).max(255).regex(/^[\x20-\x7E]+$/, 'must be 1 to 255 printable ASCII characters').optional()
    .openapi({ description: 'A key you choose (e.g. a UUID) so that a retry returns the first answer instead of moving money twice. Kept at least 24 hours, per merchant.' }),
});

export const AuthorizationResponse = z.object({
  id: z.string().openapi({ example: 'auth_aipqaibhim3kQ9xY2b7TzL1mN0' }),
  status: z.enum(['pending', 'captured', 'voided', 'expired']),
  amount: z.int(),
  captured_amount: z.int(),
  refunded_amount: z.int(),
  currency: z.string().openapi({ example: 'USD' }),
  reference: z.string().nullable(),
  description: z.string().nullable(),
  card: z.object({
    last4: z.string().openapi({ example: '2345' }),
    balance: z.int().openapi({ description: 'Posted balance in minor units.' }),
    available: z.int().openapi({ description: 'Balance minus pending holds.' }),
  }),
  expires_at: z.string().openapi({ format: 'date-time' }),
  created_at: z.string().openapi({ format: 'date-time' }),
}).openapi('Authorization');

export const RefundResponse = z.object({
  id: z.string().openapi({ example: 're_aipqaibhimZx81kPq0aB3cD4eF' }),
  authorization_id: z.string(),
  amount: z.int(),
  currency: z.string(),
  reason: z.string().nullable(),
  created_at: z.string().openapi({ format: 'date-time' }),
  authorization: AuthorizationResponse,
}).openapi('Refund');

export const BalanceResponse = z.object({
  last4: z.string(),
  currency: z.string(),
  balance: z.int(),
  available: z.int(),
  status: z.enum(['inactive', 'active', 'suspended', 'closed']),
  expires_at: z.string().nullable().openapi({ format: 'date-time' }),
}).openapi('Balance');

export const ErrorResponse = z.object({
  error: z.object({
    code: z.enum(ERROR_CODES).openapi({ description: 'Stable machine code: branch on this, never on the message.' }),
    message: z.string(),
    request_id: z.string().openapi({ description: 'Also in the X-Request-Id header; quote it to support.' }),
  }),
}).openapi('Error');

export type AuthorizeBody = z.infer<typeof AuthorizeRequest>;
export type CaptureBody = z.infer<typeof CaptureRequest>;
export type RefundBody = z.infer<typeof RefundRequest>;
export type BalanceBody = z.infer<typeof BalanceRequest>;
