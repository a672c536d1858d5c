import { randomUUID } from 'node:crypto';

import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';

import { connectRateLimitRedis } from '../../src/chatwoot/client/connect-rate-limit-redis.ts';
import { createChatwootRateLimiter } from '../../src/chatwoot/client/create-chatwoot-rate-limiter.ts';
import { createLogger } from '../../src/logging/create-logger.ts';
import { buildTestClient } from './build-test-client.ts';
import { type FaultServer, reserveClosedPortUrl, startFaultServer } from './fault-server.ts';

const REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const logger = createLogger({ level: 'silent' });
const connections: Redis[] = [];

/** Opens a connection and waits until it is ready, or returns the reason it is not. */
async function connect(url: string): Promise<Redis | string> {
  const redis = connectRateLimitRedis(url, logger);
  connections.push(redis);
  try {
    // No offline queue: commands fail until the connection is ready, so wait for that first.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('not ready within 2 s')), 2_000);
      redis.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    await redis.ping();
    return redis;
  } catch (error) {
    return `Redis at ${url} is unreachable (${(error as Error).message})`;
  }
}

const probe = await connect(REDIS_URL);
const skipReason = typeof probe === 'string' ? probe : undefined;
if (skipReason) console.warn(`[chatwoot-client] skipping the shared Redis limiter tests: ${skipReason}`);

afterAll(() => {
  for (const redis of connections) redis.disconnect();
});

describe.skipIf(skipReason !== undefined)('rate limit shared through Redis', () => {
  let server: FaultServer;
  let keyPrefix: string;
  beforeEach(async () => {
    server = await startFaultServer();
    server.setFallback(() => ({ status: 200, body: { payload: [] } }));
    keyPrefix = `test:chatwoot-rate:${randomUUID()}`;
  });
  afterEach(async () => {
    await server.close();
  });

  const sharedLimiter = async (maxWaitMs: number) => {
    const redis = await connect(REDIS_URL);
    if (typeof redis === 'string') throw new Error(redis);
    return createChatwootRateLimiter({ perMinute: 60, burst: 1, maxWaitMs, redis, keyPrefix });
  };

  it('two limiters on separate connections share one budget per account', async () => {
    const first = await sharedLimiter(0);
    const second = await sharedLimiter(0);

    await expect(first.acquire('account-1')).resolves.toMatchObject({ isGranted: true });
    await expect(first.acquire('account-1')).resolves.toMatchObject({ isGranted: true });
    await expect(second.acquire('account-1')).resolves.toMatchObject({ isGranted: false });
    await expect(second.acquire('account-2')).resolves.toMatchObject({ isGranted: true });
  });

  it('in-memory limiters, by contrast, do not share (control)', async () => {
    const first = createChatwootRateLimiter({ perMinute: 60, burst: 1, maxWaitMs: 0 });
    const second = createChatwootRateLimiter({ perMinute: 60, burst: 1, maxWaitMs: 0 });
    await first.acquire('account-1');
    await first.acquire('account-1');

    await expect(second.acquire('account-1')).resolves.toMatchObject({ isGranted: true });
  });

  it('a second client instance waits for the budget the first one used', async () => {
    const first = buildTestClient({ baseUrl: server.url, limiter: await sharedLimiter(5_000) });
    const second = buildTestClient({ baseUrl: server.url, limiter: await sharedLimiter(5_000) });
    const conversation = { accountId: 1, conversationId: 42 };

    await first.client.getLabels(conversation);
    await first.client.getLabels(conversation);
    const startedAt = Date.now();
    await second.client.getLabels(conversation);

    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(500);
    expect(server.requests).toHaveLength(3);
  });
});

describe('Redis unavailable', () => {
  it('falls back to per-process limiting instead of failing calls', async () => {
    const redis = connectRateLimitRedis((await reserveClosedPortUrl()).replace('http', 'redis'), logger);
    connections.push(redis);
    const limiter = createChatwootRateLimiter({ perMinute: 60, burst: 1, maxWaitMs: 0, redis });

    await expect(limiter.acquire('account-1')).resolves.toMatchObject({ isGranted: true });
    await expect(limiter.acquire('account-1')).resolves.toMatchObject({ isGranted: true });
    await expect(limiter.acquire('account-1')).resolves.toMatchObject({ isGranted: false });
  });
});
