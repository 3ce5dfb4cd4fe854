import type { Sql } from '../store/sql/database';
import type { CaptureTarget, NewHold } from './hold-engine';
import type { Hold } from './hold';
import { HOLD_COLUMNS } from './hold-rows';
import { newId } from '../shared/ids';

/**
 * The hot hold moves as ONE PostgreSQL statement each: one round trip, its own transaction, the
 * answer back only after its COMMIT. Each runs only when nothing stands in its way (the card
 * spendable, the money available, the hold still pending and unexpired); otherwise it changes
 * nothing and returns null, and the caller runs the general form in hold-engine.ts — which decides
 * every other case, and is what runs on SQLite, where a statement costs no round trip. The rules
 * therefore live in one place: these statements only restate, as WHERE clauses PostgreSQL checks
 * atomically with the write (under the UPDATE's row lock), the conditions under which the general
 * form would succeed, and then write exactly what it would write (same rows, same postings).
 */

/** `card.*` may be spent at `$now` without the general path (spendBlocker + expiryOnFirstUse). */
export function spendableCard(now: string): string {
  return `status = 'active' AND (locked_until_ms IS NULL OR locked_until_ms <= ${now})
    AND (expires_at_ms IS NULL OR expires_at_ms > ${now})
    AND (first_used_at_ms IS NOT NULL OR expiry_kind <> 'after_first_use')`;
}

export const isPostgres = (q: Sql): boolean => q.dialect === 'pg';

/**
 * Failures after which a one-statement move has provably changed nothing (its transaction was
 * rolled back): a key already taken, a deadlock or serialization failure, a lock wait past the
 * group commit's lock_timeout, or another statement of its shared batch failing. The general path
 * then decides. Anything else (a lost connection: the COMMIT's fate unknown) is thrown.
 */
const ROLLED_BACK = new Set(['23505', '40001', '40P01', '55P03', 'batch_rolled_back']);

export async function orGeneralPath<T>(move: Promise<T | null>): Promise<T | null> {
  try {
    return await move;
  } catch (err) {
    if (ROLLED_BACK.has(String((err as { code?: unknown }).code))) return null;
    throw err;
  }
}

const RESERVE_SQL = `
WITH card AS (
  UPDATE cards SET pending_minor = pending_minor + $1, first_used_at_ms = COALESCE(first_used_at_ms, $2)
  WHERE id = $3 AND currency = $4 AND balance_minor - pending_minor >= $1 AND ${spendableCard('$2')}
  RETURNING id
)
INSERT INTO holds (id, card_id, kind, merchant_id, call_id, currency, amount_minor, captured_minor, refunded_minor, status, reference, description, expires_at_ms, created_at_ms, updated_at_ms)
SELECT $5, card.id, $6, $7, $8, $4, $1, 0, 0, 'pending', $9, $10, $11, $2, $2 FROM card`;

/** createHold in one statement; null when the general path must decide (or on SQLite). */
export async function reserveInOneStatement(q: Sql, now_ms: number, card_id: number, h: NewHold): Promise<Hold | null> {
  if (!isPostgres(q) || !Number.isSafeInteger(h.amount_minor) || h.amount_minor <= 0) return null;
  const hold: Hold = {
    id: newId(h.id_prefix ?? 'hold'), card_id, kind: h.kind, merchant_id: h.merchant_id ?? null, call_id: h.call_id ?? null,
    currency: h.currency, amount_minor: h.amount_minor, captured_minor: 0, refunded_minor: 0, status: 'pending',
    reference: h.reference ?? null, description: h.description ?? null,
    expires_at_ms: now_ms + h.ttl_ms, created_at_ms: now_ms, updated_at_ms: now_ms,
  };
  const r = await orGeneralPath(q.run(RESERVE_SQL, [
    hold.amount_minor, now_ms, card_id, hold.currency, hold.id, hold.kind, hold.merchant_id, hold.call_id, hold.reference, hold.description, hold.expires_at_ms,
  ]));
  return r?.changes === 1 ? hold : null;
}

/** A card's money after a move, for answers that show it. */
export interface CardMoney { last4: string; balance_minor: number; pending_minor: number }

/** Which holds a move may touch: any (calls), or a merchant's own authorizations. */
export type HoldOwner = { kind: 'any' } | { kind: 'merchant'; merchant_id: number };

const ownerClause = (owner: HoldOwner, param: string): string =>
  owner.kind === 'any' ? `${param}::int IS NULL` : `kind = 'merchant' AND merchant_id = ${param}`;
const ownerParam = (owner: HoldOwner): number | null => (owner.kind === 'any' ? null : owner.merchant_id);
const RETURNED_HOLD = HOLD_COLUMNS.split(', ').map((c) => `hold.${c}`).join(', ');

const captureSql = (owner: HoldOwner) => `
WITH hold AS (
  UPDATE holds SET status = 'captured', captured_minor = $2, updated_at_ms = $3
  WHERE id = $1 AND status = 'pending' AND expires_at_ms > $3 AND amount_minor >= $2 AND ${ownerClause(owner, '$6')}
  RETURNING ${HOLD_COLUMNS}
),
card AS (
  UPDATE cards SET pending_minor = pending_minor - hold.amount_minor, balance_minor = balance_minor - $2
  FROM hold WHERE cards.id = hold.card_id
  RETURNING cards.last4, cards.balance_minor, cards.pending_minor
),
entry AS (
  INSERT INTO ledger_entries (kind, card_id, hold_id, reference, created_at_ms)
  SELECT $4, hold.card_id, hold.id, hold.reference, $3 FROM hold
  RETURNING id
),
posting AS (
  INSERT INTO postings (entry_id, account, card_id, amount_minor, currency)
  SELECT entry.id, 'card:' || hold.card_id, hold.card_id, -$2::bigint, hold.currency FROM entry, hold
  UNION ALL SELECT entry.id, $5, NULL, $2::bigint, hold.currency FROM entry, hold
)
SELECT ${RETURNED_HOLD}, card.last4, card.balance_minor, card.pending_minor FROM hold, card`;
const CAPTURE_SQL = { any: captureSql({ kind: 'any' }), merchant: captureSql({ kind: 'merchant', merchant_id: 0 }) };

/**
 * captureHold of `amount_minor` (1…the held amount) of a pending, unexpired hold, in one statement:
 * the hold captured, its reservation released, the card debited, one balanced entry. Null when the
 * general path must decide (expired, not pending, not this owner's, or on SQLite).
 */
export async function captureInOneStatement(q: Sql, now_ms: number, hold_id: string, amount_minor: number, target: CaptureTarget, owner: HoldOwner): Promise<{ hold: Hold; card: CardMoney } | null> {
  if (!isPostgres(q) || !Number.isSafeInteger(amount_minor) || amount_minor <= 0) return null;
  const row = await orGeneralPath(q.one<Hold & CardMoney>(CAPTURE_SQL[owner.kind], [hold_id, amount_minor, now_ms, target.entry_kind, target.account, ownerParam(owner)]).then((r) => r ?? null));
  return row ? split(row) : null;
}

const voidSql = (owner: HoldOwner) => `
WITH hold AS (
  UPDATE holds SET status = 'voided', updated_at_ms = $2
  WHERE id = $1 AND status = 'pending' AND ${ownerClause(owner, '$3')}
  RETURNING ${HOLD_COLUMNS}
),
card AS (
  UPDATE cards SET pending_minor = pending_minor - hold.amount_minor
  FROM hold WHERE cards.id = hold.card_id
  RETURNING cards.last4, cards.balance_minor, cards.pending_minor
)
SELECT ${RETURNED_HOLD}, card.last4, card.balance_minor, card.pending_minor FROM hold, card`;
const VOID_SQL = { any: voidSql({ kind: 'any' }), merchant: voidSql({ kind: 'merchant', merchant_id: 0 }) };

/** voidHold of a pending hold in one statement; null when the general path must decide (or on SQLite). */
export async function voidInOneStatement(q: Sql, now_ms: number, hold_id: string, owner: HoldOwner): Promise<{ hold: Hold; card: CardMoney } | null> {
  if (!isPostgres(q)) return null;
  const row = await orGeneralPath(q.one<Hold & CardMoney>(VOID_SQL[owner.kind], [hold_id, now_ms, ownerParam(owner)]).then((r) => r ?? null));
  return row ? split(row) : null;
}

function split(row: Hold & CardMoney): { hold: Hold; card: CardMoney } {
  const { last4, balance_minor, pending_minor, ...hold } = row;
  return { hold, card: { last4, balance_minor, pending_minor } };
}
