/**
 * The routing contract the edge consumes (CONTRACT.md, fixed by the lead). Branch `carriers` implements it in
 * billing/routing + billing/carriers; until that lands on main these are the contract's own shapes, to be
 * replaced by re-exports of billing's types when it does.
 */
export type Transport = 'udp' | 'tcp' | 'tls';

export interface Carrier {
  id: number;
  name: string;
  /** 'sip:gw1.example.net:5060' — where outbound INVITEs go. */
  sip_uri: string;
  transport: Transport;
  /** '' when none; prepended to the dialled digits. */
  tech_prefix: string;
  /** Send '+' before the E.164 digits. */
  send_plus: boolean;
  /** null = unlimited. */
  max_concurrent: number | null;
  /** Calls per second, null = unlimited. */
  cps: number | null;
  /** Inbound source addresses / CIDRs. */
  sources: string[];
  enabled: boolean;
  priority: number;
  allow_loss: boolean;
}

export interface RouteCandidate {
  order: number;
  carrier: Carrier;
  prefix: string;
  buy: { rate_per_minute_scaled: number; connect_fee_minor: number; initial_increment_s: number; increment_s: number };
  sell_rate_per_minute_scaled: number;
  margin_per_minute_scaled: number;
  /** User part to send: tech_prefix + ('+' if send_plus) + digits. */
  dial_user: string;
}

export interface RouteSkip { carrier: Pick<Carrier, 'id' | 'name'>; reason: 'disabled' | 'no_prefix' | 'loss' | 'blocked_by_carrier'; prefix?: string }

export type RouteRanking =
  | { ok: true; number: string; sell_prefix: string; currency: string; candidates: RouteCandidate[]; skipped: RouteSkip[] }
  | { ok: false; number: string; reason: 'blocked' | 'unpriced' | 'invalid_number' | 'no_carrier'; skipped: RouteSkip[] };

export type AttemptOutcome = 'answered' | 'failed' | 'timeout' | 'cancelled' | 'transport_error' | 'skipped_capacity';

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
