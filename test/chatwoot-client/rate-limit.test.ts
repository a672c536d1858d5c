import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { createChatwootRateLimiter } from '../../src/chatwoot/client/create-chatwoot-rate-limiter.ts';
import { buildTestClient, rejectionOf } from './build-test-client.ts';
import { type FaultServer, startFaultServer } from './fault-server.ts';

const conversation = { accountId: 1, conversationId: 42 };

describe('token bucket with fake timers (60/min, burst 2)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-11-25T10:00:00Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('grants the steady point plus the burst at once, then paces one per second', async () => {
    const limiter = createChatwootRateLimiter({ perMinute: 60, burst: 2, maxWaitMs: 10_000 });
    const grantedAt: number[] = [];
    const startedAt = Date.now();
    const waits = Array.from({ length: 5 }, () =>
      limiter.acquire('account-1').then((grant) => {
        expect(grant.isGranted).toBe(true);
        grantedAt.push(Date.now() - startedAt);
      }),
    );

    await vi.advanceTimersByTimeAsync(0);
    expect(grantedAt).toEqual([0, 0, 0]);
    await vi.advanceTimersByTimeAsync(999);
    expect(grantedAt).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(grantedAt).toEqual([0, 0, 0, 1_000]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(grantedAt).toEqual([0, 0, 0, 1_000, 2_000]);
    await Promise.all(waits);
  });

  it('keeps accounts apart', async () => {
    const limiter = createChatwootRateLimiter({ perMinute: 60, burst: 1, maxWaitMs: 0 });
    await limiter.acquire('account-1');
    await limiter.acquire('account-1');

    await expect(limiter.acquire('account-1')).resolves.toMatchObject({ isGranted: false });
    await expect(limiter.acquire('account-2')).resolves.toMatchObject({ isGranted: true });
  });

  it('does not wait longer than maxWaitMs: it reports how long the next token is away', async () => {
    const limiter = createChatwootRateLimiter({ perMinute: 60, burst: 1, maxWaitMs: 500 });
    await limiter.acquire('a');
    await limiter.acquire('a');

    await expect(limiter.acquire('a')).resolves.toEqual({ isGranted: false, retryAfterMs: 1_000 });
  });

  it('stops waiting when the caller aborts', async () => {
    const limiter = createChatwootRateLimiter({ perMinute: 1, burst: 1, maxWaitMs: 120_000 });
    await limiter.acquire('a');
    await limiter.acquire('a');
    const controller = new AbortController();

    const pending = rejectionOf(limiter.acquire('a', controller.signal));
    await vi.advanceTimersByTimeAsync(10);
    controller.abort();

    expect(await pending).toMatchObject({ name: 'AbortError' });
  });
});

describe('through the client (real time)', () => {
  let server: FaultServer;
  beforeEach(async () => {
    server = await startFaultServer();
    server.setFallback(() => ({ status: 200, body: { payload: [] } }));
  });
  afterEach(async () => {
    await server.close();
  });

  it('sends 1 + burst calls at once, then paces the next one', async () => {
    const limiter = createChatwootRateLimiter({ perMinute: 60, burst: 2, maxWaitMs: 5_000 });
    const { client } = buildTestClient({ baseUrl: server.url, limiter });

    await Promise.all(Array.from({ length: 4 }, () => client.getLabels(conversation)));

    const times = server.requests.map((request) => request.receivedAt - server.requests[0]!.receivedAt);
    expect(times.slice(0, 3).every((ms) => ms < 300)).toBe(true);
    expect(times[3]).toBeGreaterThanOrEqual(600);
  });

  it('fails with rate_limit_wait, without calling Chatwoot, when no token comes in time', async () => {
    const limiter = createChatwootRateLimiter({ perMinute: 60, burst: 1, maxWaitMs: 50 });
    const { client } = buildTestClient({ baseUrl: server.url, limiter });
    await client.getLabels(conversation);
    await client.getLabels(conversation);

    const error = await rejectionOf(client.getLabels(conversation));

    expect(error).toMatchObject({ kind: 'rate_limit_wait', isRetryable: true, isOutcomeUnknown: false });
    expect((error as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(50);
    expect(server.requests).toHaveLength(2);
  });

  it('turns an abort while waiting for a token into a typed "aborted" error', async () => {
    const limiter = createChatwootRateLimiter({ perMinute: 1, burst: 1, maxWaitMs: 120_000 });
    const { client } = buildTestClient({ baseUrl: server.url, limiter });
    await client.getLabels(conversation);
    await client.getLabels(conversation);
    const controller = new AbortController();

    const pending = rejectionOf(client.getLabels({ ...conversation, signal: controller.signal }));
    setTimeout(() => controller.abort(), 20);

    expect(await pending).toMatchObject({ kind: 'aborted', isOutcomeUnknown: false });
    expect(server.requests).toHaveLength(2);
  });
});
