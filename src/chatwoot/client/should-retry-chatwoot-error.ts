import { ChatwootApiError } from './chatwoot-api-error.ts';

export interface RetryRules {
  /**
   * Whether a failure whose outcome is unknown (timeout, dropped connection, 502/504) may be
   * repeated. True for idempotent calls (reads, toggles, "replace" writes). False for creating a
   * message: repeating it after Chatwoot may have stored the first one would post twice, so the
   * caller must reconcile first (e.g. look for its `echo_id`) and then decide.
   */
  retryUnsafe: boolean;
  /** A Retry-After longer than this is not waited out in-process: the caller reschedules instead. */
  maxRetryAfterMs: number;
}

/**
 * The retry rule of the client, in one place:
 * - retry only errors that say retrying can help (`isRetryable`: network, timeout, 429, 5xx,
 *   422 "Too many messages");
 * - never retry an open circuit or an exhausted rate-limit wait here: both are about *when*
 *   to try, and waiting longer belongs to the job queue; nor a call the caller aborted;
 * - a failure that may have been applied is retried only when `retryUnsafe` allows it;
 *   429, 5xx with an answer and connection refused are known not to have been applied;
 * - a Retry-After beyond `maxRetryAfterMs` ends the in-process retries.
 */
export function shouldRetryChatwootError(error: unknown, rules: RetryRules): boolean {
  if (!(error instanceof ChatwootApiError) || !error.isRetryable) return false;
  if (error.kind === 'circuit_open' || error.kind === 'rate_limit_wait' || error.kind === 'aborted')
    return false;
  if (error.isOutcomeUnknown && !rules.retryUnsafe) return false;
  if (error.retryAfterMs !== undefined && error.retryAfterMs > rules.maxRetryAfterMs) return false;
  return true;
}
