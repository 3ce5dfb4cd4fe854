import type { Rate } from './rate';

/** All prefixes of a dialled E.164 number (without '+'), longest first — the keys a deck is searched by. */
export function candidatePrefixes(digits: string, maxLength = 15): string[] {
  const out: string[] = [];
  for (let n = Math.min(digits.length, maxLength); n >= 1; n--) out.push(digits.slice(0, n));
  return out;
}

/** Longest-prefix match in memory (the store does the same in SQL). */
export function findRate(rates: readonly Rate[], digits: string): Rate | undefined {
  let best: Rate | undefined;
  for (const r of rates) {
    if (digits.startsWith(r.prefix) && (!best || r.prefix.length > best.prefix.length)) best = r;
  }
  return best;
}
