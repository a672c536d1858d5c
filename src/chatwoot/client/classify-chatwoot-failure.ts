/** What a failure says about retrying it and about whether Chatwoot may already have applied it. */
export interface FailureClass {
  /** Trying again later may succeed. */
  isRetryable: boolean;
  /** The request may have been applied even though we saw a failure. */
  isOutcomeUnknown: boolean;
}

/**
 * Chatwoot's per-conversation flood guard (`Message#prevent_message_flooding`, 200/min by default)
 * answers 422 `{"error":"Validation failed: Too many messages"}`: a validation failure, so nothing
 * was created and a later retry can succeed.
 */
const FLOOD_GUARD_PATTERN = /too many messages/i;

/**
 * Classifies a non-2xx answer.
 *
 * - 429, and 422 "Too many messages": retryable; Chatwoot refused before doing anything.
 * - 502 and 504: retryable, but a proxy answered for an upstream that may have received and
 *   applied the request (a gateway timeout is a timeout), so the outcome is unknown.
 * - other 5xx: retryable; Chatwoot answered with an error. Its controllers turn exceptions into 422,
 *   so a 5xx comes from in front of the application (overload, restarts) rather than after a write.
 * - every other status: not retryable (400 bad request, 401/403 auth, 404, 422 validation).
 */
export function classifyHttpFailure(status: number, body: string): FailureClass {
  if (status === 429) return { isRetryable: true, isOutcomeUnknown: false };
  if (status === 422) return { isRetryable: FLOOD_GUARD_PATTERN.test(body), isOutcomeUnknown: false };
  if (status === 502 || status === 504) return { isRetryable: true, isOutcomeUnknown: true };
  if (status >= 500) return { isRetryable: true, isOutcomeUnknown: false };
  return { isRetryable: false, isOutcomeUnknown: false };
}

/**
 * Error codes that mean the connection was never established, so the request was never sent
 * and repeating it cannot duplicate anything.
 */
const NEVER_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * Classifies a failed request (no HTTP answer). All network failures are retryable. Only
 * failures before the connection existed are known not to have reached Chatwoot; a reset or
 * closed socket afterwards may have happened after Chatwoot processed the request.
 */
export function classifyNetworkFailure(error: unknown): FailureClass {
  const code = findErrorCode(error);
  return { isRetryable: true, isOutcomeUnknown: code === undefined || !NEVER_SENT_CODES.has(code) };
}

/**
 * undici's `request()` rejects with the socket error (`code: 'ECONNREFUSED'`); `fetch` wraps it:
 * `TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } })`.
 */
export function findErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const errors = (current as { errors?: unknown }).errors;
    // Happy-eyeballs connects raise an AggregateError whose parts carry the codes.
    if (Array.isArray(errors) && errors.length > 0) {
      const codes = errors.map(findErrorCode);
      if (codes.every((each) => each !== undefined && NEVER_SENT_CODES.has(each))) return codes[0];
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
