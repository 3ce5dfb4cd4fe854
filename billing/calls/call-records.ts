import type { Sql } from '../store/sql/database';
import { activeCall } from './active-call-sql';
import type { Rate } from '../rating/rate';

export type CallStatus = 'active' | 'completed' | 'failed';

export interface CallRecord {
  id: string;
  card_id: number | null;
  caller_number: string | null;
  access_number: string | null;
  destination: string | null;
  destination_name: string | null;
  currency: string | null;
  rate_json: string | null;
  status: CallStatus;
  started_at_ms: number;
  answered_at_ms: number | null;
  ended_at_ms: number | null;
  billed_seconds: number;
  cost_minor: number;
  captured_minor: number;
  hangup_cause: string | null;
  channel_id: string | null;
  outbound_channel_id: string | null;
  /** The carrier that answered (set by the SIP edge), its buy rate snapshot, and the buy side of the bill. */
  carrier_id: number | null;
  buy_rate_json: string | null;
  /** Talk time billed, before rounding to increments (set at settlement). */
  talk_ms: number | null;
  buy_billed_seconds: number | null;
  buy_cost_minor: number | null;
  /** The IVR node that owns the call while it is active (meters and reconciles it). */
  ivr_node: string | null;
  /** `awaiting`: reconciled unseen, unconfirmed chunks held until the CDR comes; `billed`: billed from Asterisk's CDR; `missing`: no CDR came. */
  cdr_state: CdrState | null;
  /** Talk time the CDR showed (seconds), when billed from it. */
  cdr_talk_s: number | null;
}

export type CdrState = 'awaiting' | 'billed' | 'missing';

const COLUMNS = 'id, card_id, caller_number, access_number, destination, destination_name, currency, rate_json, status, started_at_ms, answered_at_ms, ended_at_ms, billed_seconds, cost_minor, captured_minor, hangup_cause, channel_id, outbound_channel_id, carrier_id, buy_rate_json, talk_ms, buy_billed_seconds, buy_cost_minor, ivr_node, cdr_state, cdr_talk_s';

/**
 * Opens an active record, owned by `ivr_node` (default: the node its id names, `<node>-<hex>`), in
 * one statement — with what is known of the call already (destination, rate…), when given.
 */
export async function insertCallRecord(
  q: Sql,
  r: Pick<CallRecord, 'id' | 'card_id' | 'caller_number' | 'access_number' | 'channel_id' | 'started_at_ms'> & { ivr_node?: string }
    & Partial<Pick<CallRecord, 'destination' | 'destination_name' | 'currency' | 'outbound_channel_id'>> & { rate?: Rate },
): Promise<void> {
  const node = r.ivr_node ?? (r.id.includes('-') ? r.id.slice(0, r.id.indexOf('-')) : null);
  await q.run("INSERT INTO call_records (id, card_id, caller_number, access_number, channel_id, status, started_at_ms, ivr_node, destination, destination_name, currency, rate_json, outbound_channel_id) VALUES (?, ?, ?, ?, ?, 'active', ?, ?, ?, ?, ?, ?, ?)", [
    r.id, r.card_id, r.caller_number, r.access_number, r.channel_id, r.started_at_ms, node,
    r.destination ?? null, r.destination_name ?? null, r.currency ?? null, r.rate ? JSON.stringify(r.rate) : null, r.outbound_channel_id ?? null,
  ]);
}

/** Fields a call flow fills in as the call goes (card after login, destination and rate snapshot, answer time…). */
export async function updateCallRecord(q: Sql, id: string, patch: Partial<Omit<CallRecord, 'id' | 'rate_json' | 'carrier_id' | 'buy_rate_json' | 'buy_billed_seconds' | 'buy_cost_minor'>> & { rate?: Rate & { currency?: string } }): Promise<void> {
  const { rate, ...rest } = patch;
  const fields: Record<string, string | number | null> = { ...(rest as Record<string, string | number | null>) };
  if (rate) fields.rate_json = JSON.stringify(rate);
  const keys = Object.keys(fields).filter((k) => /^[a-z_]+$/.test(k));
  if (keys.length === 0) return;
  await q.run(`UPDATE call_records SET ${keys.map((k) => `${k} = ?`).join(', ')} WHERE id = ?`, [...keys.map((k) => fields[k] ?? null), id]);
}

export async function callRecordById(q: Sql, id: string): Promise<CallRecord | undefined> {
  return q.one<CallRecord>(`SELECT ${COLUMNS} FROM call_records WHERE id = ?`, [id]);
}

export async function activeCallRecords(q: Sql): Promise<CallRecord[]> {
  return q.all<CallRecord>(`SELECT ${COLUMNS} FROM call_records WHERE status = 'active' ORDER BY started_at_ms`);
}

/** Active records owned by one IVR node. */
export async function activeCallRecordsOf(q: Sql, ivr_node: string): Promise<CallRecord[]> {
  return q.all<CallRecord>(`SELECT ${COLUMNS} FROM call_records WHERE status = 'active' AND ivr_node = ? ORDER BY started_at_ms`, [ivr_node]);
}

/**
 * Fencing: true when `ivr_node` still owns the active call (and, on PostgreSQL, locks its row until
 * the transaction ends). Every money write of a live call checks it in the same transaction, so a
 * node whose calls were taken over (its lease expired while it stalled) can no longer bill them.
 */
export async function ownsActiveCall(q: Sql, id: string, ivr_node: string): Promise<boolean> {
  const row = await q.one(`SELECT id FROM call_records WHERE id = ? AND ivr_node = ? AND ${activeCall()}${q.forUpdate}`, [id, ivr_node]);
  return row !== undefined;
}

export async function callRecordsOfCard(q: Sql, card_id: number, limit = 100): Promise<CallRecord[]> {
  return q.all<CallRecord>(`SELECT ${COLUMNS} FROM call_records WHERE card_id = ? ORDER BY started_at_ms DESC LIMIT ?`, [card_id, limit]);
}
