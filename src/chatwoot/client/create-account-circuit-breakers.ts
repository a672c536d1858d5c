import { circuitBreaker, type CircuitBreakerPolicy, ConsecutiveBreaker, handleWhen } from 'cockatiel';

import type { Logger } from '../../logging/create-logger.ts';
import { ChatwootApiError } from './chatwoot-api-error.ts';

export interface CircuitBreakerSettings {
  /** Consecutive outage-like failures that open an account's circuit. */
  threshold: number;
  /** How long an open circuit fails fast before one probe call is let through (half-open). */
  cooldownMs: number;
}

export interface AccountCircuitBreakers {
  forAccount(accountId: number): CircuitBreakerPolicy;
}

/**
 * Failures that say Chatwoot (or the way to it) is unwell: no answer, a timeout, 5xx, or 429.
 * Client errors (400/401/404/422) are answers from a healthy server and never open the circuit;
 * neither do the caller's own aborts or a local rate-limit wait.
 */
export function countsAsOutage(error: unknown): boolean {
  if (!(error instanceof ChatwootApiError)) return false;
  if (error.kind === 'network' || error.kind === 'timeout') return true;
  return error.kind === 'http' && error.status !== undefined && (error.status === 429 || error.status >= 500);
}

/**
 * One cockatiel circuit breaker per Chatwoot account, created on first use and kept for the life
 * of the client: when one account's Chatwoot misbehaves, calls for it fail fast while other
 * accounts carry on. Cockatiel's breaker reads `Date.now()` for the cooldown, so tests use a short
 * cooldown rather than an injected clock.
 *
 * @see https://github.com/connor4312/cockatiel#circuitbreakerpolicy
 */
export function createAccountCircuitBreakers(
  settings: CircuitBreakerSettings,
  logger: Logger,
): AccountCircuitBreakers {
  const breakers = new Map<number, CircuitBreakerPolicy>();

  return {
    forAccount(accountId) {
      const existing = breakers.get(accountId);
      if (existing) return existing;
      const breaker = circuitBreaker(handleWhen(countsAsOutage), {
        halfOpenAfter: settings.cooldownMs,
        breaker: new ConsecutiveBreaker(settings.threshold),
      });
      breaker.onBreak(() =>
        logger.warn({ accountId, cooldownMs: settings.cooldownMs }, 'chatwoot circuit opened'),
      );
      breaker.onHalfOpen(() => logger.debug({ accountId }, 'chatwoot circuit half-open: probing'));
      breaker.onReset(() => logger.info({ accountId }, 'chatwoot circuit closed'));
      breakers.set(accountId, breaker);
      return breaker;
    },
  };
}
