import type { AuthSource } from '../cards/card-auth';
import { NOTHING_TO_CLEAR } from '../cards/card-auth-one-statement';
import { VISIBLE_CARD } from '../cards/card-rows';
import { numberHashOf } from '../cards/credentials';
import type { IdempotencyRow } from '../idempotency/idempotency';
import { captureCtes, captureParams, cardLockedNow, isPostgres, orGeneralPath, spendableCard, voidCtes, voidParams, VOID_PLACEHOLDERS } from '../holds/one-statement';
import { HOLD_COLUMNS } from '../holds/hold-rows';
import { merchantPayable } from '../ledger/accounts';
import type { TxContext } from '../shared/context';
import { newId } from '../shared/ids';
import { authorizationViewSql } from './authorization-view';
import { merchantCapture } from './merchant-hold';
import type { AuthorizeInput } from './settlement';

/**
 * The merchant money moves of the settlement API as ONE PostgreSQL statement each (see
 * billing/holds/one-statement.ts for the principle): authorize, capture, void — when nothing
 * stands in their way. Each writes, in its own transaction, exactly what the general path writes
 * (runMoneyMove → settlement.ts), including the idempotency row holding the answer, and returns
 * that answer. In every other case it changes nothing and returns null, and the general path
 * decides — a key already used included: the statement then fails on the key's unique index and
 * is rolled back whole. The answer is rendered in SQL by authorizationViewSql, beside the
 * TypeScript authorizationView it mirrors (a test holds them equal), so the copy stored for replays
 * and the one sent are the same text.
 */
export interface OneStatementAnswer { status: number; body: unknown }

/**
 * The tail shared by every move: the answer rendered from `hold` and `card`, stored under the key
 * when there is one. Parameters from $first: scope, key, request hash, now.
 */
function answerCtes(first: number, status: number, where = 'TRUE'): string {
  const [scope, key, hash, now] = [0, 1, 2, 3].map((i) => `$${first + i}`);
  return `
answer AS (SELECT ${authorizationViewSql('hold', 'card')}::text AS body FROM hold, card WHERE ${where}),
idempotency AS (
  INSERT INTO idempotency_keys (scope, key, request_hash, status_code, response_json, created_at_ms)
  SELECT ${scope}, ${key}, ${hash}, ${status}, answer.body, ${now} FROM answer WHERE ${key}::varchar IS NOT NULL
)
SELECT body FROM answer`;
}

const keyParams = (idempotency: IdempotencyRow | null, now_ms: number) => [idempotency?.scope ?? null, idempotency?.key ?? null, idempotency?.hash ?? null, now_ms];

const AUTHORIZE_SQL = `
WITH card AS (
  UPDATE cards SET
    balance_minor = balance_minor - CASE WHEN $3::boolean THEN $4::bigint ELSE 0 END,
    pending_minor = pending_minor + CASE WHEN $3::boolean THEN 0 ELSE $4::bigint END,
    first_used_at_ms = COALESCE(first_used_at_ms, $2)
  WHERE id = ${cardLockedNow(`number_hash = $5 AND ${VISIBLE_CARD}`)} AND pin_hash = $6 AND ${NOTHING_TO_CLEAR}
    AND currency = $7 AND balance_minor - pending_minor >= $4 AND ${spendableCard('$2')}
    AND NOT EXISTS (SELECT 1 FROM auth_throttles WHERE key IN ($1, $18) AND locked_until_ms > $2)
  RETURNING id, last4, balance_minor, pending_minor
),
hold AS (
  INSERT INTO holds (id, card_id, kind, merchant_id, call_id, currency, amount_minor, captured_minor, refunded_minor, status, reference, description, expires_at_ms, created_at_ms, updated_at_ms)
  SELECT $8, card.id, 'merchant', $9, NULL, $7, $4, CASE WHEN $3 THEN $4 ELSE 0 END, 0, CASE WHEN $3 THEN 'captured' ELSE 'pending' END, $10, $11, $12, $2, $2
  FROM card
  RETURNING ${HOLD_COLUMNS}
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
),${answerCtes(14, 201)}`; // $18: the source's second throttle key

/**
 * POST /v1/authorizations when neither the merchant nor its customer's address is throttled, the
 * number and PIN are right with nothing to count or clear, the card is spendable in this currency
 * and has the money.
 */
export async function authorizeInOneStatement(
  ctx: TxContext, merchant_id: number, input: AuthorizeInput, source: AuthSource, idempotency: IdempotencyRow | null,
): Promise<OneStatementAnswer | null> {
  const { q, now_ms, hasher, policy } = ctx;
  if (!isPostgres(q) || !Number.isSafeInteger(input.amount) || input.amount <= 0) return null;
  // Malformed credentials are answered (and counted) by the general path.
  const number_hash = numberHashOf(hasher, input.card_number, input.pin);
  if (!number_hash) return null;
  const row = await orGeneralPath(q.one<{ body: string }>(AUTHORIZE_SQL, [
    source.merchant_key ?? null, now_ms, input.capture === true ? 'true' : 'false', input.amount, number_hash, hasher.pin(number_hash, input.pin), input.currency,
    newId('auth'), merchant_id, input.reference ?? null, input.description ?? null, now_ms + policy.merchant_hold_ttl_ms, merchantPayable(merchant_id),
    ...keyParams(idempotency, now_ms), source.throttle_key ?? null,
  ]));
  return row ? { status: 201, body: JSON.parse(row.body) as unknown } : null;
}

const CAPTURE_SQL = `WITH ${captureCtes('merchant')},${answerCtes(7, 200)}`;
const VOID_SQL = `WITH ${voidCtes('merchant')},${answerCtes(7, 200, VOID_PLACEHOLDERS)}`;

/** POST /v1/authorizations/{id}/capture of this merchant's pending, unexpired authorization. */
export async function captureInOneStatementForMerchant(ctx: TxContext, merchant_id: number, id: string, amount: number | undefined, idempotency: IdempotencyRow | null): Promise<OneStatementAnswer | null> {
  const { q, now_ms } = ctx;
  if (!isPostgres(q)) return null;
  if (amount !== undefined && (!Number.isSafeInteger(amount) || amount <= 0)) return null;
  const owner = { kind: 'merchant' as const, merchant_id };
  const params = captureParams(id, amount ?? null, now_ms, merchantCapture(merchant_id), owner);
  const row = await orGeneralPath(q.one<{ body: string }>(CAPTURE_SQL, [...params, ...keyParams(idempotency, now_ms)]));
  return row ? { status: 200, body: JSON.parse(row.body) as unknown } : null;
}

/** POST /v1/authorizations/{id}/void of this merchant's pending authorization. */
export async function voidInOneStatementForMerchant(ctx: TxContext, merchant_id: number, id: string, idempotency: IdempotencyRow | null): Promise<OneStatementAnswer | null> {
  const { q, now_ms } = ctx;
  if (!isPostgres(q)) return null;
  const row = await orGeneralPath(q.one<{ body: string }>(VOID_SQL, [...voidParams(id, now_ms, { kind: 'merchant', merchant_id }), ...keyParams(idempotency, now_ms)]));
  return row ? { status: 200, body: JSON.parse(row.body) as unknown } : null;
}
