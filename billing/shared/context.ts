import type { SecretHasher } from '../cards/secrets';
import type { Sql } from '../store/sql/database';

export interface BillingPolicy {
  /** Wrong PINs in a row (any channel) before a card is locked. */
  pin_max_failures: number;
  /** The first lockout; each further one lasts twice as long as the one before, up to `pin_lock_max_ms`. */
  pin_lock_ms: number;
  pin_lock_max_ms: number;
  /**
   * The lockout that makes the card stay PIN-locked until an operator unlocks it (`prepaid cards
   * unlock`); 0 = never (timed lockouts only). Lockouts are counted until the next correct PIN.
   */
  pin_max_lockouts: number;
  /** Failures per source (caller number, end customer's IP address) within the window before it is throttled. */
  source_max_failures: number;
  source_window_ms: number;
  source_lock_ms: number;
  /**
   * Failures per merchant (settlement API) within `source_window_ms` before the merchant's card
   * attempts are refused for `source_lock_ms`: card-testing protection, higher than the per-source
   * figure because one merchant server speaks for all its customers.
   */
  merchant_max_failures: number;
  issuer_prefix: string;
  pin_length: number;
  merchant_hold_ttl_ms: number;
  /** The sell deck calls are rated from (RATE_DECK): least-cost routing prices margins against it. */
  sell_deck: string;
}

export const DEFAULT_POLICY: BillingPolicy = {
  pin_max_failures: 5,
  pin_lock_ms: 30 * 60_000,
  pin_lock_max_ms: 24 * 3600_000,
  pin_max_lockouts: 3,
  source_max_failures: 20,
  source_window_ms: 15 * 60_000,
  source_lock_ms: 15 * 60_000,
  merchant_max_failures: 200,
  issuer_prefix: '7',
  pin_length: 4,
  merchant_hold_ttl_ms: 7 * 24 * 3600 * 1000,
  sell_deck: 'default',
};

/** What every operation inside a transaction needs: the SQL runner, the time of the operation, hashing, policy. */
export interface TxContext {
  q: Sql;
  now_ms: number;
  hasher: SecretHasher;
  policy: BillingPolicy;
}
