export const DAY_MS = 86_400_000;

/** A report period: whole UTC days, `from_ms` inclusive, `to_ms` exclusive. */
export interface DayRange {
  from_ms: number;
  to_ms: number;
}

export const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
export const dayStart = (dayNumber: number): string => dayOf(dayNumber * DAY_MS);

/** The last `days` days up to and including today (UTC). */
export function lastDays(now_ms: number, days: number): DayRange {
  const today = Math.floor(now_ms / DAY_MS) * DAY_MS;
  return { from_ms: today - (days - 1) * DAY_MS, to_ms: today + DAY_MS };
}

export const rangeJson = (r: DayRange) => ({ from: dayOf(r.from_ms), to: dayOf(r.to_ms - 1) });
