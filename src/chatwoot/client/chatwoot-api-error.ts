/**
 * Why a Chatwoot call failed.
 *
 * - `http`               Chatwoot (or a proxy in front of it) answered with a non-2xx status.
 * - `timeout`            no complete answer within the per-request timeout.
 * - `network`            the connection failed or dropped.
 * - `aborted`            the caller's AbortSignal fired.
 * - `invalid_response`   a 2xx answer whose body is not the JSON we expect. The call took effect.
 * - `circuit_open`       the account's circuit breaker is open; nothing was sent.
 * - `rate_limit_wait`    no rate-limit token within the allowed wait; nothing was sent.
 * - `missing_user_token` the operation needs a user access token and none is configured; nothing was sent.
 * - `unsupported`        this Chatwoot does not let bots make the call and there is no fallback.
 */
export type ChatwootErrorKind =
  | 'http'
  | 'timeout'
  | 'network'
  | 'aborted'
  | 'invalid_response'
  | 'circuit_open'
  | 'rate_limit_wait'
  | 'missing_user_token'
  | 'unsupported';

/** Error bodies are cut to this many characters so a proxy's HTML error page cannot flood logs. */
export const MAX_ERROR_BODY_CHARS = 2_000;

export interface ChatwootApiErrorOptions {
  kind: ChatwootErrorKind;
  operation: string;
  message: string;
  status?: number;
  body?: string;
  isRetryable: boolean;
  isOutcomeUnknown?: boolean;
  retryAfterMs?: number;
  attempt?: number;
  cause?: unknown;
}

/**
 * A failed Chatwoot call, carrying what a caller needs to decide what to do next.
 *
 * `isRetryable`: trying again later may succeed (429, 5xx, network, timeout, open circuit, …).
 * `isOutcomeUnknown`: the request may have reached Chatwoot and been applied (timeout, dropped
 * connection, gateway timeout, abort mid-flight). A call that must not happen twice, such as
 * creating a message, has to be reconciled before it is sent again.
 *
 * @see https://github.com/vercel/ai/blob/main/packages/provider/src/errors/api-call-error.ts
 */
export class ChatwootApiError extends Error {
  readonly kind: ChatwootErrorKind;
  readonly operation: string;
  readonly status: number | undefined;
  readonly body: string | undefined;
  readonly isRetryable: boolean;
  readonly isOutcomeUnknown: boolean;
  readonly retryAfterMs: number | undefined;
  /** Which attempt (1-based) produced this error; 0 when nothing was sent. */
  readonly attempt: number | undefined;

  constructor(options: ChatwootApiErrorOptions) {
    super(options.message, { cause: options.cause });
    this.name = 'ChatwootApiError';
    this.kind = options.kind;
    this.operation = options.operation;
    this.status = options.status;
    this.body = options.body === undefined ? undefined : truncateBody(options.body);
    this.isRetryable = options.isRetryable;
    this.isOutcomeUnknown = options.isOutcomeUnknown ?? false;
    this.retryAfterMs = options.retryAfterMs;
    this.attempt = options.attempt;
  }
}

export function isChatwootApiError(error: unknown, kind?: ChatwootErrorKind): error is ChatwootApiError {
  return error instanceof ChatwootApiError && (kind === undefined || error.kind === kind);
}

function truncateBody(body: string): string {
  return body.length > MAX_ERROR_BODY_CHARS ? `${body.slice(0, MAX_ERROR_BODY_CHARS)}…[truncated]` : body;
}
