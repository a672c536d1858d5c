import {
  type CircuitBreakerPolicy,
  isBrokenCircuitError,
  isIsolatedCircuitError,
  isTaskCancelledError,
} from 'cockatiel';

import { ChatwootApiError } from './chatwoot-api-error.ts';
import type { ChatwootRequest, ChatwootRequestContext } from './chatwoot-request.ts';
import { sendChatwootAttempt } from './send-chatwoot-attempt.ts';

export interface AttemptPlan {
  breaker: CircuitBreakerPolicy;
  url: string;
  token: string;
  attempt: number;
  state: { hasUnknownOutcome: boolean };
}

/**
 * One attempt of a call: through the account's circuit breaker (fails fast while open), then a
 * rate-limit token (bounded, abortable wait), then one logged HTTP exchange. Waiting for the
 * token happens inside the breaker so an open circuit never spends tokens or time.
 */
export async function attemptThroughBreaker<T>(
  context: ChatwootRequestContext,
  request: ChatwootRequest<T>,
  plan: AttemptPlan,
): Promise<T> {
  const { attempt } = plan;
  try {
    return await plan.breaker.execute(async () => {
      const grant = await abortable(request, attempt, plan.state, () =>
        context.limiter.acquire(context.rateLimitKey(request.accountId), request.signal),
      );
      if (!grant.isGranted) {
        throw new ChatwootApiError({
          kind: 'rate_limit_wait',
          operation: request.operation,
          message: `Chatwoot ${request.operation}: no rate-limit token for account ${request.accountId} in time`,
          isRetryable: true,
          isOutcomeUnknown: plan.state.hasUnknownOutcome,
          retryAfterMs: grant.retryAfterMs,
          attempt,
        });
      }
      return sendLogged(context, request, plan);
    }, request.signal);
  } catch (error) {
    if (isBrokenCircuitError(error) || isIsolatedCircuitError(error)) {
      throw new ChatwootApiError({
        kind: 'circuit_open',
        operation: request.operation,
        message: `Chatwoot ${request.operation}: circuit for account ${request.accountId} is open; not calling`,
        isRetryable: true,
        isOutcomeUnknown: plan.state.hasUnknownOutcome,
        retryAfterMs: context.policy.breakerCooldownMs,
        attempt,
        cause: error,
      });
    }
    if (isTaskCancelledError(error)) throw abortedError(request, attempt, plan.state, error);
    throw error;
  }
}

async function sendLogged<T>(
  context: ChatwootRequestContext,
  request: ChatwootRequest<T>,
  plan: AttemptPlan,
): Promise<T> {
  const startedAt = performance.now();
  const logLine = {
    operation: request.operation,
    method: request.method,
    accountId: request.accountId,
    ...request.logFields,
  };
  try {
    const result = await sendChatwootAttempt(context, {
      operation: request.operation,
      method: request.method,
      url: plan.url,
      token: plan.token,
      body: request.body,
      schema: request.schema,
      timeoutMs: context.policy.timeoutMs,
      signal: request.signal,
      attempt: plan.attempt,
      hasEarlierUnknownOutcome: plan.state.hasUnknownOutcome,
    });
    const durationMs = Math.round(performance.now() - startedAt);
    context.logger.debug(
      { ...logLine, status: result.status, durationMs, attempt: plan.attempt },
      'chatwoot call',
    );
    return result.value;
  } catch (error) {
    const durationMs = Math.round(performance.now() - startedAt);
    const details =
      error instanceof ChatwootApiError
        ? {
            status: error.status,
            kind: error.kind,
            isRetryable: error.isRetryable,
            isOutcomeUnknown: error.isOutcomeUnknown,
          }
        : {};
    context.logger.debug(
      { ...logLine, ...details, durationMs, attempt: plan.attempt },
      'chatwoot call failed',
    );
    throw error;
  }
}

/** Runs a wait (backoff or rate-limit token) and turns the caller's abort into a typed error. */
export async function abortable<R>(
  request: ChatwootRequest<unknown>,
  attempt: number,
  state: { hasUnknownOutcome: boolean },
  wait: () => Promise<R>,
): Promise<R> {
  try {
    return await wait();
  } catch (error) {
    if (request.signal?.aborted) throw abortedError(request, attempt, state, error);
    throw error;
  }
}

export function abortedError(
  request: ChatwootRequest<unknown>,
  attempt: number,
  state: { hasUnknownOutcome: boolean },
  cause: unknown,
): ChatwootApiError {
  // Nothing was in flight, but an earlier attempt of this call may have been applied.
  return new ChatwootApiError({
    kind: 'aborted',
    operation: request.operation,
    message: `Chatwoot ${request.operation} was aborted by the caller`,
    isRetryable: true,
    isOutcomeUnknown: state.hasUnknownOutcome,
    attempt,
    cause,
  });
}
