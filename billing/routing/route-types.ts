import type { Carrier } from '../carriers/carrier';

/** The routing contract shared with the SIP edge (CONTRACT.md): these shapes are fixed. */
export interface BuyTerms {
  rate_per_minute_scaled: number;
  connect_fee_minor: number;
  initial_increment_s: number;
  increment_s: number;
}

export interface RouteCandidate {
  /** 1-based rank. */
  order: number;
  carrier: Carrier;
  /** The carrier's longest matching buy prefix. */
  prefix: string;
  buy: BuyTerms;
  sell_rate_per_minute_scaled: number;
  /** sell − buy; negative only when the carrier allows routing at a loss. */
  margin_per_minute_scaled: number;
  /** User part to send: tech_prefix + ('+' if send_plus) + digits. */
  dial_user: string;
}

export type SkipReason = 'disabled' | 'no_prefix' | 'loss' | 'blocked_by_carrier';

export interface RouteSkip {
  carrier: Pick<Carrier, 'id' | 'name'>;
  reason: SkipReason;
  prefix?: string;
}

export type RouteRanking =
  | { ok: true; number: string; sell_prefix: string; currency: string; candidates: RouteCandidate[]; skipped: RouteSkip[] }
  | { ok: false; number: string; reason: 'blocked' | 'unpriced' | 'invalid_number' | 'no_carrier'; skipped: RouteSkip[] };

export type AttemptOutcome = 'answered' | 'failed' | 'timeout' | 'cancelled' | 'transport_error' | 'skipped_capacity';
export const ATTEMPT_OUTCOMES: readonly AttemptOutcome[] = ['answered', 'failed', 'timeout', 'cancelled', 'transport_error', 'skipped_capacity'];

export interface RouteAttempt {
  /** The IVR's call id (SIP header X-Prepaid-Call-Id), null for inbound/unknown. */
  call_id: string | null;
  carrier_id: number;
  order: number;
  started_at_ms: number;
  ended_at_ms: number;
  /** Final SIP status, null on timeout / transport error. */
  sip_status: number | null;
  outcome: AttemptOutcome;
}

/** One deck's longest match for a number: what ranking needs of a rate row. */
export interface PrefixMatch extends BuyTerms {
  prefix: string;
  blocked: boolean;
}

/** What ranking reads, all from one consistent view of the decks and carriers. */
export interface RouteFacts {
  /** The sell deck's longest match and the deck's currency; undefined when unpriced (or no sell deck). */
  sell: (PrefixMatch & { currency: string }) | undefined;
  /** Every carrier, with its buy deck's currency (null: no active buy deck) and longest match. */
  carriers: ReadonlyArray<{ carrier: Carrier; currency: string | null; buy: PrefixMatch | undefined }>;
}

/** A source of RouteFacts: SQL per ranking, or an in-memory index of the active deck versions. */
export interface RouteLookup {
  facts(digits: string): Promise<RouteFacts>;
}
