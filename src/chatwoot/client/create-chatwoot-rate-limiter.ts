import type { Redis } from 'ioredis';
import {
  BurstyRateLimiter,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';

import { coerceError } from '../../errors/coerce-error.ts';
import { planRateLimitWindows, type RateLimitWindow } from './plan-rate-limit-windows.ts';
import { type Sleep, sleepWithSignal } from './sleep.ts';

export type RateLimitGrant =
  { isGranted: true; waitedMs: number } | { isGranted: false; retryAfterMs: number };

/** Hands out request tokens per key (one key per Chatwoot account). */
export interface ChatwootRateLimiter {
  /**
   * Waits for a token. Resolves `isGranted: false` instead of waiting when the next token is
   * further away than the limiter's maximum wait; rejects with the signal's reason on abort.
   */
  acquire(key: string, signal?: AbortSignal): Promise<RateLimitGrant>;
}

export interface CreateChatwootRateLimiterOptions {
  perMinute: number;
  burst: number;
  /** Longest a caller waits for a token before getting `isGranted: false` (default 30 s). */
  maxWaitMs?: number;
  /**
   * Shares the budget across processes. Built by the composition root (see
   * `connect-rate-limit-redis.ts`), which also closes it. Without it each process limits alone.
   */
  redis?: Redis;
  /** Namespaces the Redis keys; processes that share a budget must use the same prefix. */
  keyPrefix?: string;
  sleep?: Sleep;
  now?: () => number;
}

/** Long enough to ride out a burst, short enough that a stuck job gives its slot back to the queue. */
export const DEFAULT_RATE_LIMIT_MAX_WAIT_MS = 30_000;
/** When the store reports no expiry, poll again after this long rather than spin. */
const MIN_POLL_MS = 5;

/**
 * A per-key token bucket over rate-limiter-flexible: a steady window paces calls, a burst window
 * absorbs short peaks (see `plan-rate-limit-windows.ts`). Callers wait for a token instead of
 * failing, up to `maxWaitMs`.
 *
 * With Redis the counters live in Redis (atomic Lua increments), so every process and every
 * client instance with the same key prefix shares one budget per account. If Redis is not ready
 * the limiter falls back to an in-memory limiter of the same shape (rate-limiter-flexible's
 * `insuranceLimiter`): limits then hold per process instead of failing calls.
 */
export function createChatwootRateLimiter(options: CreateChatwootRateLimiterOptions): ChatwootRateLimiter {
  const sleep = options.sleep ?? sleepWithSignal;
  const now = options.now ?? Date.now;
  const maxWaitMs = options.maxWaitMs ?? DEFAULT_RATE_LIMIT_MAX_WAIT_MS;
  const plan = planRateLimitWindows(options.perMinute, options.burst);
  const keyPrefix = options.keyPrefix ?? 'chatwoot-agent:chatwoot-rate';
  const limiter = new BurstyRateLimiter(
    buildWindowLimiter(plan.steady, `${keyPrefix}:steady`, options.redis),
    buildWindowLimiter(plan.burst, `${keyPrefix}:burst`, options.redis),
  );

  return {
    async acquire(key, signal) {
      const startedAt = now();
      for (;;) {
        signal?.throwIfAborted();
        const waitMs = await tryConsume(limiter, key);
        if (waitMs === 0) return { isGranted: true, waitedMs: now() - startedAt };
        if (now() - startedAt + waitMs > maxWaitMs) return { isGranted: false, retryAfterMs: waitMs };
        await sleep(waitMs, signal);
      }
    },
  };
}

/** 0 when a token was taken, otherwise how long until the next one may be free. */
async function tryConsume(limiter: BurstyRateLimiter, key: string): Promise<number> {
  try {
    await limiter.consume(key);
    return 0;
  } catch (rejection) {
    // rate-limiter-flexible rejects with a RateLimiterRes when out of points and with an Error
    // when the store fails (only possible without an insurance limiter).
    if (rejection instanceof RateLimiterRes) return Math.max(rejection.msBeforeNext, MIN_POLL_MS);
    throw coerceError(rejection);
  }
}

function buildWindowLimiter(window: RateLimitWindow, keyPrefix: string, redis: Redis | undefined) {
  const shape = { points: window.points, duration: window.durationSeconds, keyPrefix };
  if (!redis) return new RateLimiterMemory(shape);
  return new RateLimiterRedis({
    ...shape,
    storeClient: redis,
    // Without this, commands queue inside ioredis while it reconnects and callers hang.
    rejectIfRedisNotReady: true,
    insuranceLimiter: new RateLimiterMemory(shape),
  });
}
