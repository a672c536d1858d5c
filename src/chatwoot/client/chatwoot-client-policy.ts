import type { Config } from '../../config/config.ts';

/** Timeouts, retries and circuit breaking for one client. Rate limiting is the limiter's concern. */
export interface ChatwootClientPolicy {
  /** Per HTTP attempt, covering the answer's body; waiting for a rate-limit token is not included. */
  timeoutMs: number;
  /** Retries after the first attempt. */
  maxRetries: number;
  /** Backoff ceiling for the first retry; it doubles per retry up to `maxDelayMs` (full jitter below it). */
  initialDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this ends in-process retrying; the error carries `retryAfterMs`. */
  maxRetryAfterMs: number;
  /** Consecutive outage-like failures (network, timeout, 429, 5xx) that open an account's circuit. */
  breakerThreshold: number;
  /** How long an open circuit fails fast before a half-open probe. */
  breakerCooldownMs: number;
}

export const DEFAULT_CHATWOOT_CLIENT_POLICY: Readonly<ChatwootClientPolicy> = Object.freeze({
  timeoutMs: 10_000,
  maxRetries: 3,
  initialDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 30_000,
  breakerThreshold: 5,
  breakerCooldownMs: 30_000,
});

/** The policy the composition root passes: defaults plus what configuration sets. */
export function chatwootClientPolicyFromConfig(chatwoot: Config['chatwoot']): ChatwootClientPolicy {
  return { ...DEFAULT_CHATWOOT_CLIENT_POLICY, timeoutMs: chatwoot.timeoutMs };
}
