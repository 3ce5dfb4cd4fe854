import type { Card } from '../../billing/cards/card';
import { availableMinor } from '../../billing/cards/card';
import { cardByNumberHash, cardBySerial } from '../../billing/cards/card-rows';
import { maskCardNumber, normalizeCardNumber } from '../../billing/cards/card-number';
import type { SecretHasher } from '../../billing/cards/secrets';
import { formatMinor } from '../../billing/money/money';
import type { Sql } from '../../billing/store/sql/database';
import { CliError, EXIT_FAILURE } from './cli-context';

/** CARD on the command line: a card number (spaces/dashes allowed) or a serial. */
export async function resolveCard(q: Sql, hasher: SecretHasher, ref: string): Promise<Card> {
  const number = normalizeCardNumber(ref);
  let card: Card | undefined;
  if (number) {
    const row = await cardByNumberHash(q, hasher.cardNumber(number));
    if (row) {
      const { number_hash: _h, pin_hash: _p, ...rest } = row;
      card = rest;
    }
  } else {
    card = await cardBySerial(q, ref.trim()) ?? await cardBySerial(q, ref.trim().toUpperCase());
  }
  if (!card) throw new CliError('no card with that number or serial', EXIT_FAILURE);
  return card;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** A card as the operator sees it: never the number, only its last 4 digits. */
export function cardJson(c: Card, batch?: string | null) {
  return {
    id: c.id,
    serial: c.serial,
    last4: c.last4,
    masked: maskCardNumber(c.last4),
    batch: batch ?? null,
    status: c.status,
    currency: c.currency,
    balance: formatMinor(c.balance_minor, c.currency),
    pending: formatMinor(c.pending_minor, c.currency),
    available: formatMinor(availableMinor(c), c.currency),
    balance_minor: c.balance_minor,
    pending_minor: c.pending_minor,
    available_minor: availableMinor(c),
    expiry: c.expiry_kind === 'none' ? 'never' : c.expiry_kind === 'fixed' ? 'fixed date' : `${c.expiry_days}d ${c.expiry_kind === 'after_activation' ? 'after activation' : 'after first use'}`,
    expires_at: iso(c.expires_at_ms),
    activated_at: iso(c.activated_at_ms),
    first_used_at: iso(c.first_used_at_ms),
    created_at: iso(c.created_at_ms),
    pin_failures: c.pin_failures,
    locked_until: iso(c.locked_until_ms),
    pin_lockouts: c.pin_lockouts,
    /** Set when the card stays PIN-locked until `prepaid cards unlock`. */
    pin_locked_until_unlocked_since: iso(c.pin_blocked_at_ms),
  };
}

export function cardText(c: ReturnType<typeof cardJson>): string {
  const rows: Array<[string, string | number | null]> = [
    ['card', `${c.masked}  (serial ${c.serial}, id ${c.id})`],
    ['batch', c.batch],
    ['status', c.status],
    ['balance', `${c.balance} ${c.currency}`],
    ['pending', `${c.pending} ${c.currency}`],
    ['available', `${c.available} ${c.currency}`],
    ['expiry', c.expiry],
    ['expires at', c.expires_at],
    ['activated at', c.activated_at],
    ['first used at', c.first_used_at],
    ['created at', c.created_at],
    ['PIN failures', c.pin_failures],
    ['PIN lockouts', c.pin_lockouts || null],
    ['locked until', c.locked_until],
    ['PIN locked', c.pin_locked_until_unlocked_since ? `since ${c.pin_locked_until_unlocked_since}, until unlocked (prepaid cards unlock)` : null],
  ];
  return rows.filter(([, v]) => v !== null).map(([k, v]) => `${k.padEnd(14)}${v}`).join('\n');
}
