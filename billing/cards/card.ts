import type { ErrorCode } from '../shared/errors';

export const CARD_STATUSES = ['inactive', 'active', 'suspended', 'closed'] as const;
export type CardStatus = (typeof CARD_STATUSES)[number];

export type ExpiryKind = 'none' | 'fixed' | 'after_activation' | 'after_first_use';

export interface ExpiryPolicy {
  kind: ExpiryKind;
  /** For `fixed`. */
  expires_at_ms?: number | null;
  /** For `after_activation` / `after_first_use`. */
  days?: number | null;
}

/** A card as the store returns it. Never holds the number or PIN in clear. */
export interface Card {
  id: number;
  serial: string;
  last4: string;
  batch_id: number | null;
  currency: string;
  status: CardStatus;
  expiry_kind: ExpiryKind;
  expiry_days: number | null;
  expires_at_ms: number | null;
  activated_at_ms: number | null;
  first_used_at_ms: number | null;
  created_at_ms: number;
  balance_minor: number;
  pending_minor: number;
  /** Wrong PINs since the last correct one or lockout. */
  pin_failures: number;
  /** End of the current timed PIN lockout, if any. */
  locked_until_ms: number | null;
  /** Lockouts since the last correct PIN (each lasts longer). */
  pin_lockouts: number;
  /** Set when the card stays PIN-locked until an operator unlocks it. */
  pin_blocked_at_ms: number | null;
}

export const availableMinor = (c: Pick<Card, 'balance_minor' | 'pending_minor'>): number => c.balance_minor - c.pending_minor;

const DAY_MS = 86_400_000;

/** Allowed operator transitions; `closed` is final. */
const TRANSITIONS: Record<CardStatus, readonly CardStatus[]> = {
  inactive: ['active', 'closed'],
  active: ['suspended', 'closed'],
  suspended: ['active', 'closed'],
  closed: [],
};

export const canTransition = (from: CardStatus, to: CardStatus): boolean => TRANSITIONS[from].includes(to);

/** Expiry date once the card is activated (fixed date, or N days after activation). */
export function expiryOnActivation(card: Pick<Card, 'expiry_kind' | 'expiry_days' | 'expires_at_ms'>, now_ms: number): number | null {
  if (card.expiry_kind === 'after_activation' && card.expiry_days) return now_ms + card.expiry_days * DAY_MS;
  return card.expires_at_ms;
}

/** Expiry date fixed by the first spend for `after_first_use` cards. */
export function expiryOnFirstUse(card: Pick<Card, 'expiry_kind' | 'expiry_days' | 'expires_at_ms' | 'first_used_at_ms'>, now_ms: number): number | null {
  if (card.expiry_kind === 'after_first_use' && card.first_used_at_ms === null && card.expiry_days) return now_ms + card.expiry_days * DAY_MS;
  return card.expires_at_ms;
}

export const isExpired = (card: Pick<Card, 'expires_at_ms'>, now_ms: number): boolean =>
  card.expires_at_ms !== null && card.expires_at_ms <= now_ms;

/** The card's PIN lock now: timed (until a time) or until an operator unlocks it; null when not locked. */
export type PinLock = { until_ms: number } | { until_ms: null; until_unlocked: true };

export function pinLockOf(card: Pick<Card, 'locked_until_ms' | 'pin_blocked_at_ms'>, now_ms: number): PinLock | null {
  if (card.pin_blocked_at_ms !== null) return { until_ms: null, until_unlocked: true };
  if (card.locked_until_ms !== null && card.locked_until_ms > now_ms) return { until_ms: card.locked_until_ms };
  return null;
}

/**
 * Why a card cannot be spent right now, or null when it can. A PIN lock guards the PIN: it stops
 * every spend that presents one (a login, an authorization), but not the next chunk of a call
 * that logged in before the lock (`pinLock: false`), or anyone who knows a card number could cut
 * its owner's call by keying wrong PINs. Status and expiry stop everything.
 */
export function spendBlocker(card: Card, now_ms: number, o: { pinLock: boolean } = { pinLock: true }): ErrorCode | null {
  if (o.pinLock && pinLockOf(card, now_ms)) return 'card_locked';
  switch (card.status) {
    case 'inactive': return 'card_inactive';
    case 'suspended': return 'card_suspended';
    case 'closed': return 'card_closed';
    case 'active': break;
  }
  if (isExpired(card, now_ms)) return 'card_expired';
  return null;
}

/** Why a card may not receive value (recharge), or null. Suspended or expired cards may not be topped up. */
export function creditBlocker(card: Card, now_ms: number): ErrorCode | null {
  if (card.status === 'closed') return 'card_closed';
  if (card.status === 'suspended') return 'card_suspended';
  if (isExpired(card, now_ms)) return 'card_expired';
  return null;
}
