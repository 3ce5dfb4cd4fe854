import type { Sql } from '../store/sql/database';

export type OrderKind = 'card' | 'recharge';
export type OrderStatus = 'pending' | 'fulfilled' | 'failed';

/** One checkout on the site: a new card (for the buyer or a gift) or a recharge of an existing card. */
export interface Order {
  id: string;
  kind: OrderKind;
  status: OrderStatus;
  amount_minor: number;
  currency: string;
  buyer_email: string;
  buyer_session_hash: string | null;
  recipient_email: string | null;
  recipient_name: string | null;
  gift_message: string | null;
  /** Gifts: the sender's name as the buyer typed it (shown in the gift mail), or null. */
  sender_name: string | null;
  send_at_ms: number | null;
  card_id: number | null;
  card_last4: string | null;
  provider: string;
  provider_session_id: string | null;
  provider_payment_id: string | null;
  secret_enc: string | null;
  claim_token_hash: string | null;
  /** A buyer's own card: keyed hash of the one-time reveal link's token (receipt mail), and when the link expires. */
  reveal_token_hash: string | null;
  reveal_expires_at_ms: number | null;
  revealed_at_ms: number | null;
  claimed_at_ms: number | null;
  failure_code: string | null;
  created_at_ms: number;
  fulfilled_at_ms: number | null;
}

/** What is sealed in `orders.secret_enc` (see SecretBox): never stored in clear. */
export interface SealedCard {
  number: string;
  pin: string;
  /** Gifts only: the current one-time claim token (rotated by "resend"). */
  claim_token?: string;
  /** A buyer's own card: the current one-time reveal link token (rotated by "email me a new link"). */
  reveal_token?: string;
}

export const isGift = (o: Pick<Order, 'kind' | 'recipient_email'>): boolean => o.kind === 'card' && o.recipient_email !== null;

const COLUMNS =
  'id, kind, status, amount_minor, currency, buyer_email, buyer_session_hash, recipient_email, recipient_name, gift_message, sender_name, send_at_ms, card_id, card_last4, provider, provider_session_id, provider_payment_id, secret_enc, claim_token_hash, reveal_token_hash, reveal_expires_at_ms, revealed_at_ms, claimed_at_ms, failure_code, created_at_ms, fulfilled_at_ms';

export async function orderById(q: Sql, id: string, lock = false): Promise<Order | undefined> {
  return q.one<Order>(`SELECT ${COLUMNS} FROM orders WHERE id = ?${lock ? q.forUpdate : ''}`, [id]);
}

export async function orderByClaimHash(q: Sql, claim_token_hash: string, lock = false): Promise<Order | undefined> {
  return q.one<Order>(`SELECT ${COLUMNS} FROM orders WHERE claim_token_hash = ?${lock ? q.forUpdate : ''}`, [claim_token_hash]);
}

export async function orderByRevealHash(q: Sql, reveal_token_hash: string, lock = false): Promise<Order | undefined> {
  return q.one<Order>(`SELECT ${COLUMNS} FROM orders WHERE reveal_token_hash = ?${lock ? q.forUpdate : ''}`, [reveal_token_hash]);
}
