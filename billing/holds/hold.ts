/**
 * A hold is a pending transfer (TigerBeetle) / an uncaptured PaymentIntent (Stripe):
 * pending → captured (in part or whole; the rest is released) | voided | expired.
 * A merchant authorization and the running chunk of a phone call are both holds.
 */
export const HOLD_STATUSES = ['pending', 'captured', 'voided', 'expired'] as const;
export type HoldStatus = (typeof HOLD_STATUSES)[number];
export type HoldKind = 'merchant' | 'call';

export interface Hold {
  id: string;
  card_id: number;
  kind: HoldKind;
  merchant_id: number | null;
  call_id: string | null;
  currency: string;
  amount_minor: number;
  captured_minor: number;
  refunded_minor: number;
  status: HoldStatus;
  reference: string | null;
  description: string | null;
  expires_at_ms: number;
  created_at_ms: number;
  updated_at_ms: number;
}
