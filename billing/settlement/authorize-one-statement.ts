import { normalizeCardNumber } from '../cards/card-number';
import { isPostgres, orGeneralPath, spendableCard } from '../holds/one-statement';
import type { IdempotencyRow } from '../idempotency/idempotency';
import { merchantPayable } from '../ledger/accounts';
import type { TxContext } from '../shared/context';
import { newId } from '../shared/ids';
import type { AuthorizeInput } from './settlement';

/**
 * POST /v1/authorizations as ONE PostgreSQL statement, when nothing stands in its way: the
 * source address not throttled, the number and PIN right with no failures counted and no lock, the
 * card spendable in this currency, the money available, the Idempotency-Key (if any) unused. It
 * then writes, atomically and in its own transaction, exactly what the general path writes (the
 * card debited or reserved, the hold, for a capture one balanced entry, the idempotency row holding
 * the answer) and returns that answer. In every other case it changes nothing and returns null, and
 * the general path (runMoneyMove → authorize) decides — including a key already used, which fails
 * this statement on the key's unique index and rolls it back whole.
 *
 * The answer is rendered here in SQL (json_build_object keeps key order) so the stored copy and
 * the one sent are the same text; it is the shape of `authorizationView` (a test holds them equal).
 */
const AUTHORIZE_SQL = `
WITH card AS (
  UPDATE cards SET
    balance_minor = balance_minor - CASE WHEN $3::boolean THEN $4::bigint ELSE 0 END,
    pending_minor = pending_minor + CASE WHEN $3::boolean THEN 0 ELSE $4::bigint END,
    first_used_at_ms = COALESCE(first_used_at_ms, $2)
  WHERE number_hash = $5 AND pin_hash = $6 AND pin_failures = 0 AND locked_until_ms IS NULL
    AND currency = $7 AND balance_minor - pending_minor >= $4 AND ${spendableCard('$2')}
    AND NOT EXISTS (SELECT 1 FROM auth_throttles WHERE key = $1 AND locked_until_ms > $2)
  RETURNING id, last4, balance_minor, pending_minor
),
hold AS (
  INSERT INTO holds (id, card_id, kind, merchant_id, call_id, currency, amount_minor, captured_minor, refunded_minor, status, reference, description, expires_at_ms, created_at_ms, updated_at_ms)
  SELECT $8, card.id, 'merchant', $9, NULL, $7, $4, CASE WHEN $3 THEN $4 ELSE 0 END, 0, CASE WHEN $3 THEN 'captured' ELSE 'pending' END, $10, $11, $12, $2, $2
  FROM card
),
entry AS (
  INSERT INTO ledger_entries (kind, card_id, hold_id, reference, created_at_ms)
  SELECT 'capture', card.id, $8, $10, $2 FROM card WHERE $3
  RETURNING id, card_id
),
posting AS (
  INSERT INTO postings (entry_id, account, card_id, amount_minor, currency)
  SELECT entry.id, 'card:' || entry.card_id, entry.card_id, -$4::bigint, $7 FROM entry
  UNION ALL SELECT entry.id, $13, NULL, $4::bigint, $7 FROM entry
),
answer AS (
  SELECT json_build_object(
    'id', $8::varchar, 'status', CASE WHEN $3 THEN 'captured' ELSE 'pending' END, 'amount', $4::bigint,
    'captured_amount', CASE WHEN $3 THEN $4::bigint ELSE 0 END, 'refunded_amount', 0, 'currency', $7::varchar,
    'reference', $10::varchar, 'description', $11::varchar,
    'card', json_build_object('last4', card.last4, 'balance', card.balance_minor, 'available', card.balance_minor - card.pending_minor),
    'expires_at', $14::text, 'created_at', $15::text
  )::text AS body
  FROM card
),
idempotency AS (
  INSERT INTO idempotency_keys (scope, key, request_hash, status_code, response_json, created_at_ms)
  SELECT $16, $17, $18, 201, answer.body, $2 FROM answer WHERE $17::varchar IS NOT NULL
)
SELECT body FROM answer`;

/**
 * The answer (status 201, body) when the authorization was made in one statement; null when the
 * general path must decide (nothing was written then), and always on SQLite.
 */
export async function authorizeInOneStatement(
  ctx: TxContext, merchant_id: number, input: AuthorizeInput, source: string | undefined, idempotency: IdempotencyRow | null,
): Promise<{ status: 201; body: unknown } | null> {
  const { q, now_ms, hasher, policy } = ctx;
  if (!isPostgres(q) || !Number.isSafeInteger(input.amount) || input.amount <= 0) return null;
  // Malformed credentials are answered (and counted) by the general path.
  const number = normalizeCardNumber(input.card_number);
  if (!number || !/^\d{1,12}$/.test(input.pin)) return null;
  const number_hash = hasher.cardNumber(number);
  const capture = input.capture === true;
  const id = newId('auth');
  const expires_at_ms = now_ms + policy.merchant_hold_ttl_ms;
  const row = await orGeneralPath(q.one<{ body: string }>(AUTHORIZE_SQL, [
    source ?? null, now_ms, capture ? 'true' : 'false', input.amount, number_hash, hasher.pin(number_hash, input.pin), input.currency,
    id, merchant_id, input.reference ?? null, input.description ?? null, expires_at_ms, merchantPayable(merchant_id),
    new Date(expires_at_ms).toISOString(), new Date(now_ms).toISOString(),
    idempotency?.scope ?? null, idempotency?.key ?? null, idempotency?.hash ?? null,
  ]).then((r) => r ?? null));
  // Null also when the key was taken (a replay or a conflict: the statement failed on the key's
  // unique index and rolled back whole): the general path answers those.
  return row ? { status: 201, body: JSON.parse(row.body) as unknown } : null;
}
