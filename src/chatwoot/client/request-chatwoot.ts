import { DelegateBackoff, handleWhen, type IRetryBackoffContext, retry } from 'cockatiel';

import { abortable, attemptThroughBreaker } from './attempt-through-breaker.ts';
import { ChatwootApiError } from './chatwoot-api-error.ts';
import type { ChatwootRequest, ChatwootRequestContext } from './chatwoot-request.ts';
import { computeRetryDelay } from './compute-retry-delay.ts';
import { shouldRetryChatwootError } from './should-retry-chatwoot-error.ts';

/**
 * The one request helper: every Chatwoot call goes through it.
 *
 * Per call: cockatiel's retry policy decides whether and how long to back off (full jitter,
 * Retry-After first); each attempt passes the account's circuit breaker, waits for a rate-limit
 * token, then makes one HTTP exchange. We sleep between attempts ourselves, with the injected,
 * abortable `sleep`: cockatiel's own delay is a bare `setTimeout` that ignores the AbortSignal,
 * which would hold up shutdown and slow tests. The backoff therefore reports 0 to cockatiel and
 * stores the real delay for the next attempt.
 */
export async function requestChatwoot<T>(
  context: ChatwootRequestContext,
  request: ChatwootRequest<T>,
): Promise<T> {
  const token = request.token === 'user' ? context.tokens.user : context.tokens.bot;
  if (token === undefined) {
    throw new ChatwootApiError({
      kind: 'missing_user_token',
      operation: request.operation,
      message: `Chatwoot ${request.operation} needs a user access token (bots may not call it); configure userToken for this connection`,
      isRetryable: false,
      attempt: 0,
    });
  }
  const { policy } = context;
  const breaker = context.breakers.forAccount(request.accountId);
  const url = buildUrl(context.baseUrl, request);
  const state = { nextDelayMs: 0, hasUnknownOutcome: false };
  const retryRules = { retryUnsafe: request.retryUnsafe, maxRetryAfterMs: policy.maxRetryAfterMs };
  const retryPolicy = retry(
    handleWhen((error) => shouldRetryChatwootError(error, retryRules)),
    {
      maxAttempts: policy.maxRetries,
      backoff: new DelegateBackoff((backoff: IRetryBackoffContext<unknown>) => {
        const failure = 'error' in backoff.result ? backoff.result.error : undefined;
        state.nextDelayMs = computeRetryDelay({
          attempt: backoff.attempt,
          retryAfterMs: failure instanceof ChatwootApiError ? failure.retryAfterMs : undefined,
          initialDelayMs: policy.initialDelayMs,
          maxDelayMs: policy.maxDelayMs,
          random: context.random,
        });
        return 0;
      }),
    },
  );

  return retryPolicy.execute(async ({ attempt: retryIndex }) => {
    const attempt = retryIndex + 1;
    if (retryIndex > 0) {
      context.logger.debug(
        { operation: request.operation, accountId: request.accountId, attempt, delayMs: state.nextDelayMs },
        'chatwoot call: backing off before retry',
      );
      await abortable(request, attempt, state, () => context.sleep(state.nextDelayMs, request.signal));
      // Not a ChatwootApiError: a rejection here is never retried (should-retry-chatwoot-error.ts).
      if (request.beforeRetry) await request.beforeRetry();
    }
    try {
      return await attemptThroughBreaker(context, request, { breaker, url, token, attempt, state });
    } catch (error) {
      if (error instanceof ChatwootApiError && error.isOutcomeUnknown) state.hasUnknownOutcome = true;
      throw error;
    }
  }, request.signal);
}

function buildUrl(baseUrl: string, request: ChatwootRequest<unknown>): string {
  const url = new URL(`${baseUrl.replace(/\/+$/, '')}/api/v1/accounts/${request.accountId}${request.path}`);
  for (const [key, value] of Object.entries(request.query ?? {})) {
    if (value !== undefined) url.searchParams.set(key, String(value));
  }
  return url.toString();
}
