import type { SecretHasher } from '../cards/secrets';
import type { Sql } from '../store/sql/database';

export interface BillingPolicy {
  /** PIN failures (any channel) before a card is locked. */
  pin_max_failures: number;
  pin_lock_ms: number;
  /** Failures per caller number / IP address within the window before it is throttled. */
  source_max_failures: number;
  source_window_ms: number;
  source_lock_ms: number;
  issuer_prefix: string;
  pin_length: number;
  merchant_hold_ttl_ms: number;
}

export const DEFAULT_POLICY: BillingPolicy = {
  pin_max_failures: 5,
  pin_lock_ms: 30 * 60_000,
  source_max_failures: 20,
  source_window_ms: 15 * 60_000,
  source_lock_ms: 15 * 60_000,
  issuer_prefix: '7',
  pin_length: 4,
  merchant_hold_ttl_ms: 7 * 24 * 3600 * 1000,
};

/** What every operation inside a transaction needs: the SQL runner, the time of the operation, hashing, policy. */
export interface TxContext {
  q: Sql;
  now_ms: number;
  hasher: SecretHasher;
  policy: BillingPolicy;
}
