import type { Billing } from '../billing';
import { orGeneralPath } from '../holds/one-statement';
import type { TxContext } from '../shared/context';
import type { Sql } from '../store/sql/database';

/**
 * Phone sessions using a card, one row each (table `card_calls`), so that the number of
 * simultaneous calls per card can be limited across every IVR process sharing the database
 * (A2Billing's "card in use"). A row lives from login to hang-up; its IVR process renews
 * `expires_at_ms` while the session runs, so the rows of a process that died stop counting after
 * the TTL even if it never comes back.
 */
export interface CardCall {
  /** `<node id>:<inbound channel id>`: channel ids are unique per Asterisk, node ids per IVR process. */
  id: string;
  card_id: number;
  node_id: string;
  channel_id: string;
}

export const cardCallId = (node_id: string, channel_id: string): string => `${node_id}:${channel_id}`;

export type CardCallClaim = { claimed: true } | { claimed: false; in_use: number };

/**
 * Takes one of the card's `max_calls` places for `call` (0 = no limit), or says how many calls
 * already use it. Under the card's row lock (PostgreSQL; SQLite's BEGIN IMMEDIATE serialises), so
 * two logins racing on two servers cannot both take the last place. Claiming again with the same
 * id renews the place (a reconnecting IVR adopting its call). `force` takes the place whatever
 * the limit: a call already in progress is never refused.
 */
export async function claimCardCall(ctx: TxContext, call: CardCall, o: { max_calls: number; ttl_ms: number; force?: boolean }): Promise<CardCallClaim> {
  const { q, now_ms } = ctx;
  // Once the lock is granted, the next statement (its own snapshot) sees every place committed
  // before. The places of dead processes (expired) do not count; the sweeper deletes them.
  await q.one(`SELECT id FROM cards WHERE id = ?${q.forUpdate}`, [call.card_id]);
  const limited = o.max_calls > 0 && !o.force;
  // Counted and taken in one statement: a login's claim costs BEGIN, two statements and COMMIT.
  const taken = await q.run(
    `INSERT INTO card_calls (id, card_id, node_id, channel_id, started_at_ms, expires_at_ms)
     SELECT ?, ?, ?, ?, ?, ? WHERE ? = 0 OR (${OTHERS_IN_USE}) < ?
     ON CONFLICT (id) DO UPDATE SET card_id = excluded.card_id, expires_at_ms = excluded.expires_at_ms`,
    [call.id, call.card_id, call.node_id, call.channel_id, now_ms, now_ms + o.ttl_ms, limited ? 1 : 0, call.card_id, call.id, now_ms, o.max_calls],
  );
  if (taken.changes === 1) return { claimed: true };
  const others = await q.one<{ n: number }>(OTHERS_IN_USE, [call.card_id, call.id, now_ms]);
  return { claimed: false, in_use: Number(others?.n ?? 0) };
}

/**
 * Takes a card's place in a transaction of its own, as a login does: on PostgreSQL ONE call of
 * `claim_card_call` (migration 011: the same lock, count and insert as `claimCardCall`, group
 * committed with other one-statement moves) when the card's row lock is free now; else, and on
 * SQLite, the transaction of `claimCardCall`. The two forms decide alike; the function only never
 * waits for the lock.
 */
export async function claimCardPlace(billing: Billing, call: CardCall, o: { max_calls: number; ttl_ms: number; force?: boolean }): Promise<CardCallClaim> {
  const one = billing.oneStatement();
  if (one) {
    const max_calls = o.force ? 0 : o.max_calls;
    const row = await orGeneralPath(one.q.one<{ r: number | null }>(
      'SELECT claim_card_call($1, $2, $3, $4, $5, $6, $7) AS r',
      [call.id, call.card_id, call.node_id, call.channel_id, one.now_ms, one.now_ms + o.ttl_ms, max_calls],
    ));
    if (row && row.r !== null) return row.r < 0 ? { claimed: true } : { claimed: false, in_use: row.r };
  }
  return billing.tx((ctx) => claimCardCall(ctx, call, o));
}

/** The live places of a card other than one (parameters: card id, that place's id, now). */
const OTHERS_IN_USE = 'SELECT COUNT(*) AS n FROM card_calls WHERE card_id = ? AND id <> ? AND expires_at_ms > ?';

/** Frees a session's place (hang-up). */
export async function releaseCardCall(q: Sql, id: string): Promise<void> {
  await q.run('DELETE FROM card_calls WHERE id = ?', [id]);
}

const RENEW_BATCH = 200;

/** Pushes the expiry of the given places (the live sessions of one IVR process) `ttl_ms` ahead. */
export async function renewCardCalls(q: Sql, ids: readonly string[], now_ms: number, ttl_ms: number): Promise<void> {
  for (let i = 0; i < ids.length; i += RENEW_BATCH) {
    const part = ids.slice(i, i + RENEW_BATCH);
    await q.run(`UPDATE card_calls SET expires_at_ms = ? WHERE id IN (${part.map(() => '?').join(', ')})`, [now_ms + ttl_ms, ...part]);
  }
}

/**
 * An IVR process starting: frees every place its previous run held (the calls still in progress
 * take theirs back, whatever the limit, as they are reconciled). Returns how many were freed.
 */
export async function releaseNodeCardCalls(q: Sql, node_id: string): Promise<number> {
  return (await q.run('DELETE FROM card_calls WHERE node_id = ?', [node_id])).changes;
}

/** Housekeeping: deletes up to `limit` expired places (processes that died and never came back). */
export async function purgeExpiredCardCalls(q: Sql, now_ms: number, limit: number): Promise<number> {
  const r = await q.run('DELETE FROM card_calls WHERE id IN (SELECT id FROM card_calls WHERE expires_at_ms <= ? LIMIT ?)', [now_ms, limit]);
  return r.changes;
}
