import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { buildTestClient, rejectionOf } from './build-test-client.ts';
import { type FaultServer, startFaultServer } from './fault-server.ts';

/**
 * Cockatiel's breaker reads Date.now() for the cooldown, so these tests use a 150 ms cooldown
 * in real time rather than an injected clock.
 */
const COOLDOWN_MS = 150;
const account1 = { accountId: 1, conversationId: 42 };
const account2 = { accountId: 2, conversationId: 7 };
const ok = { status: 200, body: { payload: ['vip'] } };

let server: FaultServer;
beforeEach(async () => {
  server = await startFaultServer();
});
afterEach(async () => {
  await server.close();
});

const breakerClient = () =>
  buildTestClient({
    baseUrl: server.url,
    policy: { maxRetries: 0, breakerThreshold: 3, breakerCooldownMs: COOLDOWN_MS },
  });

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('circuit breaker per Chatwoot account', () => {
  it('opens after consecutive failures, fails fast while open, then probes and closes', async () => {
    const test = breakerClient();
    server.setFallback(() => ({ status: 503, body: 'down' }));

    for (let call = 0; call < 3; call++) {
      await expect(test.client.getLabels(account1)).rejects.toMatchObject({ kind: 'http', status: 503 });
    }
    const fastFailure = await rejectionOf(test.client.getLabels(account1));

    expect(fastFailure).toMatchObject({ kind: 'circuit_open', isRetryable: true, retryAfterMs: COOLDOWN_MS });
    expect(server.requests).toHaveLength(3);
    expect(
      test.logs.some((line) => line['level'] === 'warn' && line['msg'] === 'chatwoot circuit opened'),
    ).toBe(true);

    // Another account of the same client is not affected.
    server.enqueue(ok);
    await expect(test.client.getLabels(account2)).resolves.toEqual(['vip']);

    await pause(COOLDOWN_MS + 50);
    server.setFallback(() => ok);
    await expect(test.client.getLabels(account1)).resolves.toEqual(['vip']);
    await expect(test.client.getLabels(account1)).resolves.toEqual(['vip']);
    expect(server.requests).toHaveLength(6);
    expect(test.logs.some((line) => line['msg'] === 'chatwoot circuit closed')).toBe(true);
  });

  it('reopens when the half-open probe fails', async () => {
    const { client } = breakerClient();
    server.setFallback(() => ({ status: 500, body: 'boom' }));
    for (let call = 0; call < 3; call++) await rejectionOf(client.getLabels(account1));

    await pause(COOLDOWN_MS + 50);
    await expect(client.getLabels(account1)).rejects.toMatchObject({ kind: 'http', status: 500 });
    await expect(client.getLabels(account1)).rejects.toMatchObject({ kind: 'circuit_open' });
    expect(server.requests).toHaveLength(4);
  });

  it('counts timeouts and network drops, not client errors', async () => {
    const { client } = breakerClient();
    server.setFallback(() => ({ status: 404, body: { error: 'Resource could not be found' } }));
    for (let call = 0; call < 5; call++) await rejectionOf(client.getLabels(account1));
    await expect(client.getLabels(account1)).rejects.toMatchObject({ kind: 'http', status: 404 });

    server.setFallback(() => ({ drop: true }));
    for (let call = 0; call < 3; call++) await rejectionOf(client.getLabels(account1));
    await expect(client.getLabels(account1)).rejects.toMatchObject({ kind: 'circuit_open' });
  });

  it('a success resets the count of consecutive failures', async () => {
    const { client } = breakerClient();
    server.enqueue({ status: 500 }, { status: 500 }, ok, { status: 500 }, { status: 500 }, ok);

    for (let call = 0; call < 6; call++) await client.getLabels(account1).catch(() => undefined);

    expect(server.requests).toHaveLength(6);
  });

  it('retries inside one call count towards opening, and stop once the circuit opens', async () => {
    const { client } = buildTestClient({
      baseUrl: server.url,
      policy: { maxRetries: 5, breakerThreshold: 3, breakerCooldownMs: 60_000 },
    });
    server.setFallback(() => ({ status: 503, body: 'down' }));

    const error = await rejectionOf(client.getLabels(account1));

    expect(error).toMatchObject({ kind: 'circuit_open', attempt: 4 });
    expect(server.requests).toHaveLength(3);
  });
});
