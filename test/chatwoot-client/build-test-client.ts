import { Writable } from 'node:stream';

import type { ChatwootClient } from '../../src/chatwoot/client/chatwoot-client.ts';
import type { ChatwootClientPolicy } from '../../src/chatwoot/client/chatwoot-client-policy.ts';
import { createChatwootClient } from '../../src/chatwoot/client/create-chatwoot-client.ts';
import {
  type ChatwootRateLimiter,
  createChatwootRateLimiter,
} from '../../src/chatwoot/client/create-chatwoot-rate-limiter.ts';
import { createLogger } from '../../src/logging/create-logger.ts';

export const BOT_TOKEN = 'bot-token-secret-1234';
export const USER_TOKEN = 'user-token-secret-5678';

/** Fast defaults: tiny backoff, short timeout, a breaker that stays out of the way. */
export const FAST_POLICY: ChatwootClientPolicy = {
  timeoutMs: 300,
  maxRetries: 3,
  initialDelayMs: 10,
  maxDelayMs: 40,
  maxRetryAfterMs: 5_000,
  breakerThreshold: 1_000,
  breakerCooldownMs: 60_000,
};

export interface TestClient {
  client: ChatwootClient;
  /** Every backoff the client asked for, in ms. The test sleep returns at once. */
  sleeps: number[];
  /** Every log line, parsed. */
  logs: Array<Record<string, unknown>>;
  /** Raw log output, for "never contains" assertions. */
  logText: () => string;
}

export interface TestClientOptions {
  baseUrl: string;
  policy?: Partial<ChatwootClientPolicy>;
  limiter?: ChatwootRateLimiter;
  userToken?: string;
  fetch?: typeof fetch;
  random?: () => number;
  /** Use the real, abortable sleep instead of the instant recording one. */
  isRealSleep?: boolean;
}

export function buildTestClient(options: TestClientOptions): TestClient {
  const sleeps: number[] = [];
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  const logger = createLogger({ level: 'debug', destination });
  const client = createChatwootClient(
    {
      logger,
      limiter:
        options.limiter ?? createChatwootRateLimiter({ perMinute: 60_000, burst: 1_000, maxWaitMs: 1_000 }),
      policy: { ...FAST_POLICY, ...options.policy },
      fetch: options.fetch,
      random: options.random ?? (() => 0.5),
      sleep: options.isRealSleep
        ? undefined
        : (ms, signal) => {
            sleeps.push(ms);
            signal?.throwIfAborted();
            return Promise.resolve();
          },
    },
    {
      name: 'test',
      baseUrl: options.baseUrl,
      apiToken: BOT_TOKEN,
      userToken: options.userToken,
      allowUnsigned: false,
    },
  );
  return {
    client,
    sleeps,
    get logs() {
      return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    logText: () => lines.join('\n'),
  };
}

/** Awaits a promise expected to reject and returns the rejection. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject, but it resolved');
}
