import { APICallError, RetryError } from 'ai';

const TRANSIENT_STATUS = new Set([408, 409, 425, 429]);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * Whether retrying the same model call may succeed: timeouts, rate limits (429), server errors
 * (5xx, Anthropic's 529 "overloaded") and dropped connections. Authentication, bad requests and
 * unknown models are permanent. Pure.
 */
export function isTransientModelError(error: unknown): boolean {
  if (RetryError.isInstance(error)) return isTransientModelError(error.lastError);
  if (APICallError.isInstance(error)) {
    const status = error.statusCode;
    if (status !== undefined) return TRANSIENT_STATUS.has(status) || status >= 500;
    return error.isRetryable || isTransientModelError(error.cause);
  }
  if (error instanceof DOMException || error instanceof Error) {
    if (error.name === 'TimeoutError') return true;
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
    if (error instanceof TypeError && /fetch failed|network|socket/i.test(error.message)) return true;
    if ('cause' in error && error.cause !== undefined && error.cause !== error)
      return isTransientModelError(error.cause);
  }
  return false;
}

/** The provider's Retry-After hint in ms (seconds, HTTP date, or OpenAI's `retry-after-ms`), if any. */
export function retryAfterMs(error: unknown, now: number = Date.now()): number | undefined {
  if (!APICallError.isInstance(error) || !error.responseHeaders) return undefined;
  const headers = Object.fromEntries(
    Object.entries(error.responseHeaders).map(([key, value]) => [key.toLowerCase(), value]),
  );
  const milliseconds = Number(headers['retry-after-ms']);
  if (Number.isFinite(milliseconds) && milliseconds >= 0) return milliseconds;
  const value = headers['retry-after'];
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
