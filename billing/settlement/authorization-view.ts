import type { Card } from '../cards/card';
import { availableMinor } from '../cards/card';
import type { Hold } from '../holds/hold';

/** The public shape of an authorization (PRODUCT.md "Settlement HTTP API"). */
export interface AuthorizationView {
  id: string;
  status: string;
  amount: number;
  captured_amount: number;
  refunded_amount: number;
  currency: string;
  reference: string | null;
  description: string | null;
  card: { last4: string; balance: number; available: number };
  expires_at: string;
  created_at: string;
}

export function authorizationView(hold: Hold, card: Pick<Card, 'last4' | 'balance_minor' | 'pending_minor'>): AuthorizationView {
  return {
    id: hold.id,
    status: hold.status,
    amount: hold.amount_minor,
    captured_amount: hold.captured_minor,
    refunded_amount: hold.refunded_minor,
    currency: hold.currency,
    reference: hold.reference,
    description: hold.description,
    card: { last4: card.last4, balance: card.balance_minor, available: availableMinor(card) },
    expires_at: new Date(hold.expires_at_ms).toISOString(),
    created_at: new Date(hold.created_at_ms).toISOString(),
  };
}

/** `ms` (epoch milliseconds, bigint) as `Date#toISOString()` writes it. */
const isoSql = (ms: string): string => `to_char(timestamp '1970-01-01' + ${ms} * interval '1 millisecond', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * `authorizationView` in PostgreSQL (json, whose key order json_build_object keeps), for the
 * one-statement moves that store their answer with their effect: `hold` and `card` are row
 * sources with the holds columns and the card's last4, balance_minor and pending_minor.
 */
export function authorizationViewSql(hold: string, card: string): string {
  return `json_build_object(
    'id', ${hold}.id, 'status', ${hold}.status, 'amount', ${hold}.amount_minor,
    'captured_amount', ${hold}.captured_minor, 'refunded_amount', ${hold}.refunded_minor, 'currency', ${hold}.currency,
    'reference', ${hold}.reference, 'description', ${hold}.description,
    'card', json_build_object('last4', ${card}.last4, 'balance', ${card}.balance_minor, 'available', ${card}.balance_minor - ${card}.pending_minor),
    'expires_at', ${isoSql(`${hold}.expires_at_ms`)}, 'created_at', ${isoSql(`${hold}.created_at_ms`)})`;
}
