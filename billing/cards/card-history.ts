import type { Sql } from '../store/sql/database';

/** One line of a card's history: calls, merchant payments, recharges, adjustments — one list. */
export interface HistoryItem {
  entry_id: number;
  kind: string;
  amount_minor: number;
  currency: string;
  at_ms: number;
  /** Merchant name, call destination, or the entry's reason. */
  label: string | null;
  call_id: string | null;
  billed_seconds: number | null;
}

export async function cardHistory(q: Sql, card_id: number, limit = 100): Promise<HistoryItem[]> {
  const rows = await q.all<{
    entry_id: number; kind: string; amount_minor: number; currency: string; at_ms: number; reason: string | null;
    merchant_name: string | null; description: string | null; call_id: string | null; destination: string | null; destination_name: string | null; billed_seconds: number | null;
  }>(
    `SELECT e.id AS entry_id, e.kind, p.amount_minor, p.currency, e.created_at_ms AS at_ms, e.reason,
            m.name AS merchant_name, h.description, h.call_id, c.destination, c.destination_name, c.billed_seconds
       FROM postings p
       JOIN ledger_entries e ON e.id = p.entry_id
       LEFT JOIN holds h ON h.id = e.hold_id
       LEFT JOIN merchants m ON m.id = h.merchant_id
       LEFT JOIN call_records c ON c.id = h.call_id
      WHERE p.card_id = ?
      ORDER BY e.id DESC LIMIT ?`,
    [card_id, limit],
  );
  return rows.map((r) => ({
    entry_id: r.entry_id,
    kind: r.kind,
    amount_minor: r.amount_minor,
    currency: r.currency,
    at_ms: r.at_ms,
    label: r.merchant_name ? `${r.merchant_name}${r.description ? ` — ${r.description}` : ''}` : r.destination ? `Call to +${r.destination}${r.destination_name ? ` (${r.destination_name})` : ''}` : r.reason,
    call_id: r.call_id,
    billed_seconds: r.billed_seconds,
  }));
}
