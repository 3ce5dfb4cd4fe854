import { dialUser } from '../carriers/carrier';
import type { RouteCandidate, RouteFacts, RouteRanking, RouteSkip } from './route-types';

/** A dialled E.164 number without '+': 1 to 15 digits. */
export const isE164Digits = (digits: string): boolean => /^\d{1,15}$/.test(digits);

const byName = (a: { name: string }, b: { name: string }): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * THE ROUTING POLICY, pure. A destination blocked or unpriced in the sell deck has no route at all.
 * Otherwise each enabled carrier offers its longest matching buy prefix; a carrier is skipped when it
 * is disabled, has no matching prefix (or no buy deck in the sell currency), has that prefix
 * blocked, or buys above the sell rate without `allow_loss`. Candidates are ordered by buy rate per
 * minute, then static priority (lower first), then name. Connect fees and increments do not enter
 * the order; they are in each candidate's `buy` for the edge and for costing.
 */
export function rankRoutes(digits: string, facts: RouteFacts): RouteRanking {
  const { sell } = facts;
  if (!sell) return { ok: false, number: digits, reason: 'unpriced', skipped: [] };
  if (sell.blocked) return { ok: false, number: digits, reason: 'blocked', skipped: [] };
  const candidates: Array<Omit<RouteCandidate, 'order'>> = [];
  const skipped: RouteSkip[] = [];
  for (const { carrier, currency, buy } of facts.carriers) {
    const who = { id: carrier.id, name: carrier.name };
    if (!carrier.enabled) {
      skipped.push({ carrier: who, reason: 'disabled' });
    } else if (!buy || currency !== sell.currency) {
      skipped.push({ carrier: who, reason: 'no_prefix' });
    } else if (buy.blocked) {
      skipped.push({ carrier: who, reason: 'blocked_by_carrier', prefix: buy.prefix });
    } else if (buy.rate_per_minute_scaled > sell.rate_per_minute_scaled && !carrier.allow_loss) {
      skipped.push({ carrier: who, reason: 'loss', prefix: buy.prefix });
    } else {
      candidates.push({
        carrier,
        prefix: buy.prefix,
        buy: { rate_per_minute_scaled: buy.rate_per_minute_scaled, connect_fee_minor: buy.connect_fee_minor, initial_increment_s: buy.initial_increment_s, increment_s: buy.increment_s },
        sell_rate_per_minute_scaled: sell.rate_per_minute_scaled,
        margin_per_minute_scaled: sell.rate_per_minute_scaled - buy.rate_per_minute_scaled,
        dial_user: dialUser(carrier, digits),
      });
    }
  }
  skipped.sort((a, b) => byName(a.carrier, b.carrier));
  if (!candidates.length) return { ok: false, number: digits, reason: 'no_carrier', skipped };
  candidates.sort((a, b) => a.buy.rate_per_minute_scaled - b.buy.rate_per_minute_scaled || a.carrier.priority - b.carrier.priority || byName(a.carrier, b.carrier));
  return {
    ok: true, number: digits, sell_prefix: sell.prefix, currency: sell.currency,
    candidates: candidates.map((c, i) => ({ order: i + 1, ...c })),
    skipped,
  };
}
