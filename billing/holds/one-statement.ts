import type { Sql } from '../store/sql/database';
import { activeCall } from '../calls/active-call-sql';
import type { CaptureTarget, NewHold } from './hold-engine';
import type { Hold } from './hold';
import { HOLD_COLUMNS } from './hold-rows';
import { newId } from '../shared/ids';

/**
 * The hot hold moves as ONE PostgreSQL statement each: one round trip, a whole transaction (group
 * committed with its neighbours: billing/store/sql/pg-group-commit.ts), the answer back only after
 * COMMIT. Each runs only when nothing stands in its way (the card spendable, the money available,
 * the hold still pending and unexpired); otherwise it changes nothing and returns null, and the
 * caller runs the general form in hold-engine.ts — which decides every other case, and is what
 * runs on SQLite, where a statement costs no round trip. The rules therefore live in one place:
 * these statements only restate, as WHERE clauses PostgreSQL checks atomically with the write
 * (under the UPDATE's row lock), the conditions under which the general form would succeed, and
 * then write exactly what it would write (same rows, same postings).
 */

/**
 * The card row `where` picks, locked now or not at all: `FOR UPDATE SKIP LOCKED` never waits for
 * another transaction (the statement then matches nothing and the general path, in its own
 * transaction, does the waiting). A one-statement move never waits on a row lock, so one slow
 * transaction elsewhere cannot stall a whole group-committed batch of unrelated moves.
 */
export const cardLockedNow = (where: string): string => `(SELECT id FROM cards WHERE ${where} FOR UPDATE SKIP LOCKED)`;

/** `cards` may be spent at `now` without the general path (spendBlocker, and no expiry set by a first use). */
export function spendableCard(now: string): string {
  return `status = 'active' AND pin_blocked_at_ms IS NULL AND (locked_until_ms IS NULL OR locked_until_ms <= ${now})
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

export async function orGeneralPath<T>(move: Promise<T | null | undefined>): Promise<T | null> {
  try {
    return (await move) ?? null;
  } catch (err) {
    if (ROLLED_BACK.has(String((err as { code?: unknown }).code))) return null;
    throw err;
  }
}

/** The active call `call_id` (an SQL expression) is owned by the node `node` (a parameter), its record locked now or not at all. */
export const callOwnedBy = (call_id: string, node: string): string =>
  `EXISTS (SELECT 1 FROM call_records r WHERE r.id = ${call_id} AND r.ivr_node = ${node} AND ${activeCall('r')} FOR UPDATE OF r SKIP LOCKED)`;

/** $13: the available balance the amount was sized from — reserved only while exactly that is available (NULL: any that affords it). */
const RESERVE_CTES = `card AS (
  UPDATE cards SET pending_minor = pending_minor + $1, first_used_at_ms = COALESCE(first_used_at_ms, $2)
  WHERE id = ${cardLockedNow('id = $3')} AND currency = $4 AND balance_minor - pending_minor >= $1 AND ${spendableCard('$2')}
    AND ($13::bigint IS NULL OR balance_minor - pending_minor = $13) AND ($12::varchar IS NULL OR ${callOwnedBy('$8', '$12')})
  RETURNING id, last4, balance_minor, pending_minor
),
hold AS (
  INSERT INTO holds (id, card_id, kind, merchant_id, call_id, currency, amount_minor, captured_minor, refunded_minor, status, reference, description, expires_at_ms, created_at_ms, updated_at_ms)
  SELECT $5, card.id, $6, $7, $8, $4, $1, 0, 0, 'pending', $9, $10, $11, $2, $2 FROM card
  RETURNING id
)`;

/** createHold in one statement: the card's money reserved and the hold written; the card's money just after. No row when it declines. */
export const RESERVE_SQL = `WITH ${RESERVE_CTES}
SELECT card.last4, card.balance_minor, card.pending_minor FROM card, hold`;

/**
 * After a reservation declined: the card's money locked now (its newest) — while the call $3 is
 * still active and owned by $4, and the card is in currency $2; no row when the card is locked
 * elsewhere. A statement of its own, sent only then: a reservation declines rarely (a call's last
 * chunk), and carrying this read in every reservation cost about 3% of bench/ledger's holds and
 * captures per second (README, Benchmarks).
 */
export const DECLINED_READ_SQL = `SELECT last4, balance_minor, pending_minor FROM cards
WHERE id = $1 AND currency = $2 AND ($4::varchar IS NULL OR ${callOwnedBy('$3', '$4')})
FOR UPDATE SKIP LOCKED`;

function newPendingHold(now_ms: number, card_id: number, h: NewHold): Hold {
  return {
    id: newId(h.id_prefix ?? 'hold'), card_id, kind: h.kind, merchant_id: h.merchant_id ?? null, call_id: h.call_id ?? null,
    currency: h.currency, amount_minor: h.amount_minor, captured_minor: 0, refunded_minor: 0, status: 'pending',
    reference: h.reference ?? null, description: h.description ?? null,
    expires_at_ms: now_ms + h.ttl_ms, created_at_ms: now_ms, updated_at_ms: now_ms,
  };
}

const reserveParams = (hold: Hold, now_ms: number, card_id: number, ivr_node: string | undefined, sized_from: number | undefined) => [
  hold.amount_minor, now_ms, card_id, hold.currency, hold.id, hold.kind, hold.merchant_id, hold.call_id, hold.reference, hold.description, hold.expires_at_ms,
  ivr_node ?? null, sized_from ?? null,
];

/**
 * createHold in one statement (a call's chunk): the hold and its card's money just after; with
 * `ivr_node`, only while the hold's call is active and owned by that node (the metering fence).
 * When it declines, what the general path would size a smaller chunk from: `declined`, the card's
 * money locked now (the call still owned by `ivr_node`), read by a second statement. With
 * `sized_from`, the hold is reserved only while the card's available balance is exactly that —
 * what its amount was sized from, so money that moved between the read and this reservation makes
 * it decline. Null when the general path must decide (or on SQLite).
 */
export async function reserveOrReadInOneStatement(
  q: Sql, now_ms: number, card_id: number, h: NewHold, ivr_node: string | undefined, sized_from?: number,
): Promise<{ hold: Hold; card: CardMoney } | { declined: CardMoney } | null> {
  if (!isPostgres(q) || !Number.isSafeInteger(h.amount_minor) || h.amount_minor <= 0) return null;
  const hold = newPendingHold(now_ms, card_id, h);
  const reserved = await orGeneralPath(q.all<CardMoney>(RESERVE_SQL, reserveParams(hold, now_ms, card_id, ivr_node, sized_from)));
  if (!reserved) return null; // its batch rolled back
  if (reserved[0]) return { hold, card: reserved[0] };
  const declined = await orGeneralPath(q.one<CardMoney>(DECLINED_READ_SQL, [card_id, hold.currency, hold.call_id, ivr_node ?? null]));
  return declined ? { declined } : null;
}

/** A card's money after a move, for answers that show it. */
export interface CardMoney { last4: string; balance_minor: number; pending_minor: number }

/**
 * Which holds a move may touch: any, one merchant's own authorizations, or the chunks of a call
 * still active and owned by one IVR node (its call record locked in the same statement, so a
 * takeover by another node waits for it or makes it decline: the fence of call-metering.ts).
 */
export type HoldOwner = { kind: 'any' } | { kind: 'merchant'; merchant_id: number } | { kind: 'call'; ivr_node: string };
export const ownerParam = (owner: HoldOwner): number | string | null =>
  owner.kind === 'any' ? null : owner.kind === 'merchant' ? owner.merchant_id : owner.ivr_node;

const ownerClause = (owner: HoldOwner['kind']): string =>
  owner === 'any' ? '$6::int IS NULL' : owner === 'merchant' ? "kind = 'merchant' AND merchant_id = $6" : callOwnedBy('holds.call_id', '$6::varchar');

/**
 * The hold $1 and its card, both locked now or not at all (see cardLockedNow): the hold's row
 * (`row`, its ctid) found by its primary key, the only condition on the hold here.
 * The move then updates that row by its ctid, and checks the hold's state there. It does not look
 * the hold up again by id beside `status = 'pending'`: PostgreSQL's generic plan, on statistics
 * that made pending holds look rare (taken while few were pending), took the index on (status,
 * expires_at_ms) for that (now the pending holds' index by expiry) and read every pending hold for
 * the one it wanted — 2.9–4.2 ms per capture with 20,000 authorizations pending, 0.6 ms by ctid
 * (README, Benchmarks). Should the row have been
 * changed by a transaction that committed after this statement began, its locked version is not
 * visible to the update, which then changes nothing: the move declines and the general path decides.
 */
const lockedHold = `locked AS (
  SELECT h.ctid AS row FROM holds h JOIN cards c ON c.id = h.card_id WHERE h.id = $1 FOR UPDATE OF h, c SKIP LOCKED
)`;

/**
 * The CTEs `hold` (the updated hold row) and `card` (its card's money after) of a capture:
 * $1 hold id, $2 amount (1…held; NULL: all of it), $3 now, $4 entry kind, $5 account credited,
 * $6 owner merchant id. The hold captured, its reservation released, the card debited, one
 * balanced entry — what captureHold writes.
 */
export function captureCtes(owner: HoldOwner['kind']): string {
  return `${lockedHold},
hold AS (
  UPDATE holds SET status = 'captured', captured_minor = COALESCE($2, amount_minor), updated_at_ms = $3
  WHERE ctid = (SELECT row FROM locked) AND status = 'pending' AND expires_at_ms > $3 AND amount_minor >= COALESCE($2, amount_minor) AND ${ownerClause(owner)}
  RETURNING ${HOLD_COLUMNS}
),
card AS (
  UPDATE cards SET pending_minor = pending_minor - hold.amount_minor, balance_minor = balance_minor - hold.captured_minor
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
  SELECT entry.id, 'card:' || hold.card_id, hold.card_id, -hold.captured_minor, hold.currency FROM entry, hold
  UNION ALL SELECT entry.id, $5, NULL, hold.captured_minor, hold.currency FROM entry, hold
)`;
}

/** The CTEs `hold` and `card` of a void: $1 hold id, $2 now, $3 unused, $4/$5 unused, $6 owner (voidHold). */
export function voidCtes(owner: HoldOwner['kind']): string {
  return `${lockedHold},
hold AS (
  UPDATE holds SET status = 'voided', updated_at_ms = $2
  WHERE ctid = (SELECT row FROM locked) AND status = 'pending' AND ${ownerClause(owner)}
  RETURNING ${HOLD_COLUMNS}
),
card AS (
  UPDATE cards SET pending_minor = pending_minor - hold.amount_minor
  FROM hold WHERE cards.id = hold.card_id
  RETURNING cards.last4, cards.balance_minor, cards.pending_minor
)`;
}

/** Parameters $1…$6 of captureCtes. */
export const captureParams = (hold_id: string, amount_minor: number | null, now_ms: number, target: CaptureTarget, owner: HoldOwner) =>
  [hold_id, amount_minor, now_ms, target.entry_kind, target.account, ownerParam(owner)];

/** Parameters $1…$6 of voidCtes ($3…$5 typed placeholders, so both moves share the numbering). */
export const voidParams = (hold_id: string, now_ms: number, owner: HoldOwner) => [hold_id, now_ms, null, null, null, ownerParam(owner)];
export const VOID_PLACEHOLDERS = '$3::int IS NULL AND $4::text IS NULL AND $5::text IS NULL';

/** What a chunk's capture or void answers: the card's money just after (the IVR projects the call's end from it). */
const RETURNED = 'card.last4, card.balance_minor, card.pending_minor';
const KINDS = ['any', 'merchant', 'call'] as const;
/** The statements of the hold moves below, by owner: what PostgreSQL prepares (its plans are tested: test/billing/one-statement-plans.test.ts). */
export const CAPTURE_SQL = Object.fromEntries(KINDS.map((k) => [k, `WITH ${captureCtes(k)} SELECT ${RETURNED} FROM hold, card`])) as Record<HoldOwner['kind'], string>;
export const VOID_SQL = Object.fromEntries(KINDS.map((k) => [k, `WITH ${voidCtes(k)} SELECT ${RETURNED} FROM hold, card WHERE ${VOID_PLACEHOLDERS}`])) as Record<HoldOwner['kind'], string>;

/**
 * captureHold of `amount_minor` (1…the held amount) of a pending, unexpired hold, in one statement:
 * the card's money just after. Null when the general path must decide (expired, not pending, not
 * this owner's, or on SQLite). Only the card's three columns come back: the hold's own fifteen,
 * which no caller used, cost PostgreSQL and the driver about 4% of the pairs per second in a
 * scratch run of the raw harness (README, Benchmarks).
 */
export async function captureInOneStatement(q: Sql, now_ms: number, hold_id: string, amount_minor: number, target: CaptureTarget, owner: HoldOwner): Promise<CardMoney | null> {
  if (!isPostgres(q) || !Number.isSafeInteger(amount_minor) || amount_minor <= 0) return null;
  return orGeneralPath(q.one<CardMoney>(CAPTURE_SQL[owner.kind], captureParams(hold_id, amount_minor, now_ms, target, owner)));
}

/** voidHold of a pending hold in one statement: the card's money just after; null when the general path must decide (or on SQLite). */
export async function voidInOneStatement(q: Sql, now_ms: number, hold_id: string, owner: HoldOwner): Promise<CardMoney | null> {
  if (!isPostgres(q)) return null;
  return orGeneralPath(q.one<CardMoney>(VOID_SQL[owner.kind], voidParams(hold_id, now_ms, owner)));
}
