export interface RateLimitWindow {
  points: number;
  durationSeconds: number;
}

export interface RateLimitPlan {
  /** Paces calls at the configured rate, in the shortest whole-second window that rate allows. */
  steady: RateLimitWindow;
  /** Extra calls allowed per minute when the steady window is used up. */
  burst: RateLimitWindow;
}

const SECONDS_PER_MINUTE = 60;
/** Whole-second windows that divide a minute: the Redis store cannot expire keys in fractions of a second. */
const WINDOW_SECONDS = [1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60];

/**
 * Turns "N requests per minute with a burst of B" into the two fixed windows of a
 * rate-limiter-flexible `BurstyRateLimiter`. rate-limiter-flexible has no true token bucket;
 * this pair behaves like one: after a quiet spell, one steady window's points plus B go at once,
 * then calls are paced at N per minute. The price of the approximation is that a
 * client saturating both windows for a whole minute gets up to N + B calls, not N.
 *
 * The steady window is the shortest divisor of a minute in which N is a whole number of points
 * (60/min → 1 per second; 90/min → 3 per 2 s; 7/min → 7 per minute), so the rate is exact.
 */
export function planRateLimitWindows(perMinute: number, burst: number): RateLimitPlan {
  if (!Number.isInteger(perMinute) || perMinute < 1)
    throw new RangeError('perMinute must be a positive integer');
  if (!Number.isInteger(burst) || burst < 0) throw new RangeError('burst must be a non-negative integer');
  const durationSeconds =
    WINDOW_SECONDS.find((seconds) => (perMinute * seconds) % SECONDS_PER_MINUTE === 0) ?? SECONDS_PER_MINUTE;
  return {
    steady: { points: (perMinute * durationSeconds) / SECONDS_PER_MINUTE, durationSeconds },
    burst: { points: burst, durationSeconds: SECONDS_PER_MINUTE },
  };
}
