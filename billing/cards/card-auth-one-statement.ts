import type { TxContext } from '../shared/context';
import type { Card } from './card';
import type { AuthSource } from './card-auth';
import { CARD_COLUMNS, VISIBLE_CARD } from './card-rows';
import { numberHashOf } from './credentials';
import { SecretHasher } from './secrets';

/** `auth_throttles` holds no lock now on either key of `source` (parameters: the two keys, then now). */
export const NOT_THROTTLED = 'NOT EXISTS (SELECT 1 FROM auth_throttles WHERE key IN (?, ?) AND locked_until_ms > ?)';
export const throttleKeys = (source: AuthSource): [string | null, string | null] => [source.merchant_key ?? null, source.throttle_key ?? null];

/** A card whose PIN may be checked with nothing to count or clear (checkPin's "reset nothing" case). */
export const NOTHING_TO_CLEAR = 'pin_failures = 0 AND pin_lockouts = 0 AND locked_until_ms IS NULL AND pin_blocked_at_ms IS NULL';

/**
 * authenticateCard's common case in ONE read: neither key of the source throttled, the number and
 * PIN right, no failure or lockout counted, no lock — the case where the general path writes
 * nothing and answers with the card. In every other case this returns null having acted on
 * nothing, and the general path (card-auth.ts) decides under its row lock: it counts a failure,
 * locks the card, clears an old lock. Reading without the row lock is the general path's success
 * ordered just before any failure being counted at the same moment: the card as last committed.
 * Plain SQL, so the same on SQLite and PostgreSQL.
 */
export async function authenticateInOneRead(ctx: Pick<TxContext, 'q' | 'hasher' | 'now_ms'>, cardNumber: string, pin: string, source: AuthSource = {}): Promise<Card | null> {
  const { q, hasher, now_ms } = ctx;
  const numberHash = numberHashOf(hasher, cardNumber, pin);
  if (!numberHash) return null;
  const row = await q.one<Card & { pin_hash: string }>(
    `SELECT ${CARD_COLUMNS}, pin_hash FROM cards WHERE number_hash = ? AND ${VISIBLE_CARD} AND ${NOTHING_TO_CLEAR} AND ${NOT_THROTTLED}`,
    [numberHash, ...throttleKeys(source), now_ms],
  );
  if (!row || !SecretHasher.equal(row.pin_hash, hasher.pin(numberHash, pin))) return null;
  const { pin_hash: _p, ...card } = row;
  return card;
}
