/**
 * Every failure the billing core can answer with, as a stable machine code.
 * Callers branch on `code`, never on message text. HTTP statuses are mapped in billing/http/error-status.ts.
 */
export const ERROR_CODES = [
  'validation_error',
  'unauthorized',
  'invalid_card_credentials',
  'card_locked',
  'card_inactive',
  'card_suspended',
  'card_closed',
  'card_expired',
  'insufficient_funds',
  'currency_mismatch',
  'not_found',
  'invalid_state',
  'idempotency_conflict',
  'rate_limited',
  'destination_blocked',
  'destination_unknown',
  'internal_error',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class BillingError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'BillingError';
  }
}

export function isBillingError(err: unknown): err is BillingError {
  return err instanceof BillingError;
}

/** Result of an operation that may fail with a domain code (no exceptions for expected outcomes). */
export type Result<T> = { ok: true; value: T } | { ok: false; error: BillingError };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = <T = never>(code: ErrorCode, message: string, details?: Record<string, unknown>): Result<T> => ({
  ok: false,
  error: new BillingError(code, message, details),
});

export function unwrap<T>(r: Result<T>): T {
  if (r.ok) return r.value;
  throw r.error;
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`invariant violated: ${message}`);
}
