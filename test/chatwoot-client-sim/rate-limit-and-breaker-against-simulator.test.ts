import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createChatwootRateLimiter } from '../../src/chatwoot/client/create-chatwoot-rate-limiter.ts';
import { rejectionOf } from '../chatwoot-client/build-test-client.ts';
import {
  ACCOUNT_1_INBOX,
  ACCOUNT_2_INBOX,
  startClientSimulator,
  type ClientSimulator,
} from './start-client-simulator.ts';

let world: ClientSimulator;
beforeEach(async () => {
  world = await startClientSimulator();
});
afterEach(async () => {
  await world.close();
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('rate limit pacing per account, seen from Chatwoot', () => {
  it('300/min with a burst of 3: 8 calls at once, then 5 per second; the other account is not held back', async () => {
    // 300/min plans as a steady window of 5 per second plus 3 burst points per minute.
    const limiter = createChatwootRateLimiter({ perMinute: 300, burst: 3, maxWaitMs: 10_000 });
    const { client } = world.client({ limiter, isRealSleep: true });
    const one = world.sim.customerSays({ inboxId: ACCOUNT_1_INBOX, content: 'hi' });
    const two = world.sim.customerSays({ inboxId: ACCOUNT_2_INBOX, content: 'hi' });
    expect(two.accountId).toBe(2);

    // The limiter's windows start when the first call asks for a token, which is now; a call can
    // reach Chatwoot later than that under load (it failed with Chatwoot's first call as the origin:
    // the next window opened less than a second after it).
    const issuedAt = Date.now();
    await Promise.all([
      ...Array.from({ length: 20 }, () =>
        client.toggleTypingStatus({ accountId: 1, conversationId: one.conversationId, typingStatus: 'on' }),
      ),
      ...Array.from({ length: 5 }, () =>
        client.toggleTypingStatus({ accountId: 2, conversationId: two.conversationId, typingStatus: 'on' }),
      ),
    ]);

    const account1 = world.sim.apiCalls({ path: '/accounts/1/' }).map((call) => call.at - issuedAt);
    const account2 = world.sim.apiCalls({ path: '/accounts/2/' }).map((call) => call.at - issuedAt);
    expect(account1).toHaveLength(20);
    expect(account2).toHaveLength(5);
    // Every call reached Chatwoot once and succeeded: pacing waits, it does not fail or retry.
    expect(world.sim.apiCalls().every((call) => call.status === 200)).toBe(true);

    // Burst: steady 5 + burst 3 go at once.
    expect(account1.filter((at) => at < 700)).toHaveLength(8);
    // Pacing: by the end of window k (1 s each) at most 8 + 5·(k−1) calls — whatever the jitter.
    for (let window = 1; window <= 4; window++) {
      expect(account1.filter((at) => at < window * 1000 - 50).length).toBeLessThanOrEqual(
        8 + 5 * (window - 1),
      );
    }
    // 12 calls beyond the burst need three more windows.
    expect(Math.max(...account1)).toBeGreaterThanOrEqual(2_800);
    // Account 2 has its own bucket.
    expect(Math.max(...account2)).toBeLessThan(700);
  });

  it('a call that cannot get a token within the maximum wait fails as rate_limit_wait without calling Chatwoot', async () => {
    const limiter = createChatwootRateLimiter({ perMinute: 60, burst: 0, maxWaitMs: 200 });
    const { client } = world.client({ limiter, isRealSleep: true });
    const { conversationId } = world.sim.customerSays({ inboxId: ACCOUNT_1_INBOX, content: 'hi' });
    await client.toggleTypingStatus({ accountId: 1, conversationId, typingStatus: 'on' });
    const error = await rejectionOf(
      client.toggleTypingStatus({ accountId: 1, conversationId, typingStatus: 'off' }),
    );
    expect(error).toMatchObject({ kind: 'rate_limit_wait', isRetryable: true });
    expect(world.sim.apiCalls()).toHaveLength(1);
  });
});

describe('circuit breaker per account against the simulator', () => {
  const COOLDOWN_MS = 300;

  it('opens after 3 consecutive failures, fails fast without calling Chatwoot, probes, reopens, then closes once Chatwoot recovers', async () => {
    // `logs` is a getter: keep the object to read the lines written later.
    const test = world.client({
      policy: { maxRetries: 0, breakerThreshold: 3, breakerCooldownMs: COOLDOWN_MS },
    });
    const { client } = test;
    const one = world.sim.customerSays({ inboxId: ACCOUNT_1_INBOX, content: 'hi' });
    const two = world.sim.customerSays({ inboxId: ACCOUNT_2_INBOX, content: 'hi' });
    const ref1 = { accountId: 1, conversationId: one.conversationId };
    // Every call to account 1 fails: half dropped connections, the rest 500s.
    world.sim.faults.configure({ dropRate: 0.5, rate500: 1, paths: ['/accounts/1/'] });

    for (let call = 0; call < 3; call++) {
      const error = await rejectionOf(client.getLabels(ref1));
      expect((error as { kind: string }).kind).toMatch(/^(http|network)$/);
    }
    expect(world.sim.apiCalls({ path: '/accounts/1/' })).toHaveLength(3);

    // Open: fails fast, nothing reaches Chatwoot.
    for (let call = 0; call < 5; call++) {
      await expect(client.getLabels(ref1)).rejects.toMatchObject({ kind: 'circuit_open', isRetryable: true });
    }
    expect(world.sim.apiCalls({ path: '/accounts/1/' })).toHaveLength(3);
    expect(test.logs.some((line) => line['msg'] === 'chatwoot circuit opened')).toBe(true);

    // Account 2 of the same client is unaffected.
    await expect(client.getLabels({ accountId: 2, conversationId: two.conversationId })).resolves.toEqual([]);

    // Half-open while Chatwoot is still down: one probe, which fails, and the circuit opens again.
    await pause(COOLDOWN_MS + 50);
    await expect(client.getLabels(ref1)).rejects.toMatchObject({
      kind: expect.stringMatching(/^(http|network)$/),
    });
    await expect(client.getLabels(ref1)).rejects.toMatchObject({ kind: 'circuit_open' });
    expect(world.sim.apiCalls({ path: '/accounts/1/' })).toHaveLength(4);

    // Chatwoot recovers: the next probe succeeds and the circuit closes; calls flow again.
    world.sim.faults.clear();
    await pause(COOLDOWN_MS + 50);
    for (let call = 0; call < 4; call++) await expect(client.getLabels(ref1)).resolves.toEqual([]);
    expect(world.sim.apiCalls({ path: '/accounts/1/' })).toHaveLength(8);
    expect(test.logs.some((line) => line['msg'] === 'chatwoot circuit closed')).toBe(true);
  });

  it('a retrying call stops retrying when its own failures open the circuit', async () => {
    const { client } = world.client({
      policy: { maxRetries: 6, breakerThreshold: 3, breakerCooldownMs: 60_000 },
    });
    const { conversationId } = world.sim.customerSays({ inboxId: ACCOUNT_1_INBOX, content: 'hi' });
    world.sim.faults.configure({ rate429: 1, paths: ['/toggle_typing_status'] });
    const error = await rejectionOf(
      client.toggleTypingStatus({ accountId: 1, conversationId, typingStatus: 'on' }),
    );
    expect(error).toMatchObject({ kind: 'circuit_open' });
    expect(world.sim.apiCalls({ path: '/toggle_typing_status' }).map((call) => call.status)).toEqual([
      429, 429, 429,
    ]);
  });

  it('client errors (404) from a healthy Chatwoot never open the circuit', async () => {
    const { client } = world.client({
      policy: { maxRetries: 0, breakerThreshold: 3, breakerCooldownMs: 60_000 },
    });
    for (let call = 0; call < 6; call++) {
      await expect(client.getLabels({ accountId: 1, conversationId: 404 })).rejects.toMatchObject({
        kind: 'http',
        status: 404,
      });
    }
    expect(world.sim.apiCalls()).toHaveLength(6);
  });
});
