/** All prefixes of a dialled E.164 number (without '+'), longest first — the keys a deck is searched by. */
export function candidatePrefixes(digits: string, maxLength = 15): string[] {
  const out: string[] = [];
  for (let n = Math.min(digits.length, maxLength); n >= 1; n--) out.push(digits.slice(0, n));
  return out;
}
