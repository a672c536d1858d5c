import {
  type CircuitBreakerPolicy,
  DelegateBackoff,
  handleWhen,
  type IRetryBackoffContext,
  isBrokenCircuitError,
  isIsolatedCircuitError,
  isTaskCancelledError,
  retry,
} from 'cockatiel';
import type { z } from 'zod';

import type { Logger } from '../../logging/create-logger.ts';
import { ChatwootApiError } from './chatwoot-api-error.ts';
import type { ChatwootClientPolicy } from './chatwoot-client-policy.ts';
import { computeRetryDelay } from './compute-retry-delay.ts';
import type { AccountCircuitBreakers } from './create-account-circuit-breakers.ts';
import type { ChatwootRateLimiter } from './create-chatwoot-rate-limiter.ts';
import { type HttpMethod, sendChatwootAttempt } from './send-chatwoot-attempt.ts';
import type { Sleep } from './sleep.ts';
import { shouldRetryChatwootError } from './should-retry-chatwoot-error.ts';

/** Everything one client's requests share; built once by `createChatwootClient`. */
export interface ChatwootRequestContext {
  baseUrl: string;
  tokens: { bot: string; user: string | undefined };
  /** Rate-limit key of an account: accounts of different Chatwoot installs must not collide. */
  rateLimitKey: (accountId: number) => string;
  fetch: typeof fetch;
  logger: Logger;
  limiter: ChatwootRateLimiter;
  breakers: AccountCircuitBreakers;
  policy: ChatwootClientPolicy;
  sleep: Sleep;
  random: () => number;
  now: () => number;
}

export interface ChatwootRequest<T> {
  /** Names the call in logs and errors, e.g. `createMessage`. */
  operation: string;
  method: HttpMethod;
  accountId: number;
  /** Below `/api/v1/accounts/{accountId}`, e.g. `/conversations/12/messages`. */
  path: string;
  query?: Record<string, number | string | undefined>;
  body?: unknown;
  schema: z.ZodType<T>;
  /** The bot token by default; the user token for what Chatwoot does not let bots call. */
  token?: 'bot' | 'user';
  /** May a failure that might already have been applied be repeated? See `should-retry-chatwoot-error.ts`. */
  retryUnsafe: boolean;
  signal?: AbortSignal;
  /** Extra ids for the debug log line (never content). */
  logFields?: Record<string, unknown>;
}

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
    }
    try {
      return await attemptThroughBreaker(context, request, { breaker, url, token, attempt, state });
    } catch (error) {
      if (error instanceof ChatwootApiError && error.isOutcomeUnknown) state.hasUnknownOutcome = true;
      throw error;
    }
  }, request.signal);
}

interface AttemptPlan {
  breaker: CircuitBreakerPolicy;
  url: string;
  token: string;
  attempt: number;
  state: { hasUnknownOutcome: boolean };
}

async function attemptThroughBreaker<T>(
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
async function abortable<R>(
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

function abortedError(
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

function buildUrl(baseUrl: string, request: ChatwootRequest<unknown>): string {
  const url = new URL(`${baseUrl.replace(/\/+$/, '')}/api/v1/accounts/${request.accountId}${request.path}`);
  for (const [key, value] of Object.entries(request.query ?? {})) {
    if (value !== undefined) url.searchParams.set(key, String(value));
  }
  return url.toString();
}
