export interface RetryDelayInput {
  /** 1 for the first retry. */
  attempt: number;
  /** From the failed answer's Retry-After header, when it had one. */
  retryAfterMs: number | undefined;
  initialDelayMs: number;
  maxDelayMs: number;
  /** Uniform in [0, 1); injected so tests are deterministic. */
  random: () => number;
}

/**
 * Exponential backoff with full jitter: a uniform wait in [0, min(max, initial · 2^(attempt-1))).
 * Full jitter spreads out workers that failed together so they do not retry in lockstep.
 * A server-provided Retry-After wins when present.
 *
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export function computeRetryDelay(input: RetryDelayInput): number {
  if (input.retryAfterMs !== undefined) return input.retryAfterMs;
  const ceiling = Math.min(input.maxDelayMs, input.initialDelayMs * 2 ** Math.max(0, input.attempt - 1));
  return Math.floor(input.random() * ceiling);
}
