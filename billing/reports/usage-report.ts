import type { Sql } from '../store/sql/database';
import type { DayRange } from './report-range';

export interface UsageLine {
  destination: string;
  currency: string;
  calls: number;
  billed_seconds: number;
  revenue_minor: number;
}

/** Completed calls started in the period, per destination and currency: calls, billed seconds, revenue. */
export async function usageReport(q: Sql, range: DayRange): Promise<UsageLine[]> {
  const rows = await q.all<{ destination: string | null; currency: string | null; calls: number; seconds: number | null; revenue: number | null }>(
    `SELECT COALESCE(destination_name, 'unknown') AS destination, currency, COUNT(*) AS calls, SUM(billed_seconds) AS seconds, SUM(cost_minor) AS revenue
       FROM call_records
      WHERE status = 'completed' AND started_at_ms >= ? AND started_at_ms < ?
      GROUP BY COALESCE(destination_name, 'unknown'), currency
      ORDER BY SUM(cost_minor) DESC, 1`,
    [range.from_ms, range.to_ms],
  );
  return rows.map((r) => ({
    destination: r.destination ?? 'unknown', currency: r.currency ?? '', calls: Number(r.calls), billed_seconds: Number(r.seconds ?? 0), revenue_minor: Number(r.revenue ?? 0),
  }));
}
