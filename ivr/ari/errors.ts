/**
 * Every failure the ARI adapter reports, as a stable code. Callers branch on `code`, never on message text.
 * (Matching Asterisk's message text happens once, here, because ari-client 2.2.0 drops the HTTP status.)
 */
export const ARI_ERROR_CODES = [
  /** No answer within the configured REST timeout (also what an unreachable Asterisk looks like to ari-client). */
  'ari_timeout',
  /** Channel, bridge, playback or application does not exist (404). */
  'ari_not_found',
  /** Asterisk cannot be reached / the event socket is not connected. */
  'ari_unavailable',
  /** The channel is not (or no longer) in our Stasis app (409/422): for the call flow, the channel is gone. */
  'ari_not_in_stasis',
  /** The resource is in the wrong state: not Down, id already exists, not in this bridge (409/422). */
  'ari_conflict',
  /** Wrong ARI user or password (401). */
  'ari_unauthorized',
  /** The request was invalid (400), e.g. a missing parameter or an invalid endpoint. */
  'ari_bad_request',
  /** The endpoint could not be allocated (500 "Allocation failed"): unknown technology or PJSIP endpoint. */
  'ari_allocation_failed',
  /** Anything else Asterisk answered with. */
  'ari_error',
] as const;

export type AriErrorCode = (typeof ARI_ERROR_CODES)[number];

export class AriError extends Error {
  constructor(
    readonly code: AriErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AriError';
  }
}

export function isAriError(err: unknown, code?: AriErrorCode): err is AriError {
  return err instanceof AriError && (code === undefined || err.code === code);
}

/** Asterisk's error messages (transcripts/errors.jsonl) and the code each one means. */
const MESSAGE_CODES: ReadonlyArray<readonly [RegExp, AriErrorCode]> = [
  [/not found|does not exist/i, 'ari_not_found'],
  [/not in Stasis/i, 'ari_not_in_stasis'],
  [/not in the '.*' state|already exists|not in this bridge|not subscribed/i, 'ari_conflict'],
  [/Authentication required/i, 'ari_unauthorized'],
  [/Allocation failed/i, 'ari_allocation_failed'],
  [/must be specified|is required|Invalid|Missing parameter|required path param/i, 'ari_bad_request'],
];

function asterisksMessage(text: string): string {
  try {
    const body = JSON.parse(text) as unknown;
    if (typeof body === 'object' && body !== null) {
      const b = body as { message?: unknown; error?: unknown };
      if (typeof b.message === 'string') return b.message;
      if (typeof b.error === 'string') return b.error;
    }
  } catch {
    // not JSON: use the text as it is
  }
  return text;
}

/**
 * Turns whatever ari-client rejected with into an AriError. ari-client rejects with `new Error(<response body>)`
 * for HTTP errors (the status is lost), and swagger throws plain strings for missing path parameters.
 */
export function toAriError(err: unknown, operation: string): AriError {
  if (err instanceof AriError) return err;
  const raw = err instanceof Error ? err.message : typeof err === 'string' ? err : JSON.stringify(err);
  const message = asterisksMessage(raw);
  const networkCode = err instanceof Error ? (err as { code?: unknown }).code : undefined;
  if (typeof networkCode === 'string' && /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT)$/.test(networkCode)) {
    return new AriError('ari_unavailable', `${operation}: ${networkCode}`, { operation });
  }
  const code = MESSAGE_CODES.find(([re]) => re.test(message))?.[1] ?? 'ari_error';
  return new AriError(code, `${operation}: ${message}`, { operation });
}
