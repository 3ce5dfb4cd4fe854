import type { ErrorCode } from '../shared/errors';

/**
 * The ONE place error codes become HTTP statuses (PRODUCT.md "Settlement HTTP API").
 * Decisions: a body over the size limit, malformed JSON and a non-JSON Content-Type are all
 * `validation_error` 400 (one stable code for "your request is not acceptable as sent").
 */
export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = Object.freeze({
  validation_error: 400,
  unauthorized: 401,
  invalid_card_credentials: 402,
  card_locked: 402,
  card_inactive: 402,
  card_suspended: 402,
  card_closed: 402,
  card_expired: 402,
  insufficient_funds: 402,
  currency_mismatch: 402,
  not_found: 404,
  invalid_state: 409,
  idempotency_conflict: 409,
  destination_blocked: 422,
  destination_unknown: 422,
  rate_limited: 429,
  internal_error: 500,
});

export const httpStatusOf = (code: ErrorCode): number => HTTP_STATUS[code];
