import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { rejectionOf } from '../chatwoot-client/build-test-client.ts';
import { ACCOUNT_1_INBOX, startClientSimulator, type ClientSimulator } from './start-client-simulator.ts';

/**
 * The Chatwoot client against the simulator's fault injection: real HTTP, rack-attack's exact
 * 429 (text/plain, no Retry-After), Rails-style 500s and sockets destroyed without an answer.
 * What Chatwoot saw is read back from `sim.apiCalls()`.
 */
let world: ClientSimulator;
beforeEach(async () => {
  world = await startClientSimulator();
});
afterEach(async () => {
  await world.close();
});

const statusesOf = (calls: { status: number | null; fault: string | null }[]) =>
  calls.map((call) => (call.fault === 'drop' ? 'drop' : call.status));

describe('retries through the simulator faults', () => {
  it('an idempotent call retries through 429, 500 and dropped connections until it succeeds', async () => {
    const { conversationId } = world.sim.customerSays({ inboxId: ACCOUNT_1_INBOX, content: 'hi' });
    const { client, sleeps } = world.client({ policy: { maxRetries: 6 } });
    const scope = { paths: ['/toggle_typing_status'] };
    world.sim.faults.failNext(1, 429, scope);
    world.sim.faults.failNext(1, 500, scope);
    world.sim.faults.failNext(2, 'drop', scope);
    world.sim.faults.failNext(1, 429, scope);

    await client.toggleTypingStatus({ accountId: 1, conversationId, typingStatus: 'on' });

    const calls = world.sim.apiCalls({ path: '/toggle_typing_status' });
    expect(statusesOf(calls)).toEqual([429, 500, 'drop', 'drop', 429, 200]);
    expect(sleeps).toHaveLength(5);
    // The one call that got through reached Chatwoot: exactly one typing event.
    expect(world.sim.typingTimeline(conversationId).map((event) => event.typingStatus)).toEqual(['on']);
  });

  it('message creation retries 429 and 500 (nothing was stored) and posts exactly once', async () => {
    const { conversationId } = world.sim.customerSays({ inboxId: ACCOUNT_1_INBOX, content: 'hi' });
    const { client } = world.client({ policy: { maxRetries: 4 } });
    world.sim.faults.failNext(2, 429, { methods: ['POST'], paths: [/\/messages$/] });
    world.sim.faults.failNext(1, 500, { methods: ['POST'], paths: [/\/messages$/] });

    const created = await client.createMessage({
      accountId: 1,
      conversationId,
      content: 'answer',
      echoId: 'echo-1',
    });

    expect(statusesOf(world.sim.apiCalls({ method: 'POST', path: /\/messages$/ }))).toEqual([
      429, 429, 500, 200,
    ]);
    expect(
      world.sim.botReplies(conversationId).map((message) => [message.id, message.content, message.echoId]),
    ).toEqual([[created.id, 'answer', 'echo-1']]);
  });

  it('message creation does not blindly repeat a dropped connection (outcome unknown) unless told it may', async () => {
    const { conversationId } = world.sim.customerSays({ inboxId: ACCOUNT_1_INBOX, content: 'hi' });
    const { client } = world.client({ policy: { maxRetries: 4 } });
    world.sim.faults.failNext(1, 'drop', { methods: ['POST'], paths: [/\/messages$/] });

    const error = await rejectionOf(
      client.createMessage({ accountId: 1, conversationId, content: 'answer' }),
    );
    expect(error).toMatchObject({ kind: 'network', isRetryable: true, isOutcomeUnknown: true });
    expect(world.sim.apiCalls({ method: 'POST', path: /\/messages$/ })).toHaveLength(1);
    expect(world.sim.botReplies(conversationId)).toHaveLength(0);

    world.sim.faults.failNext(1, 'drop', { methods: ['POST'], paths: [/\/messages$/] });
    await client.createMessage({ accountId: 1, conversationId, content: 'answer', retryUnsafe: true });
    expect(statusesOf(world.sim.apiCalls({ method: 'POST', path: /\/messages$/ }))).toEqual([
      'drop',
      'drop',
      200,
    ]);
    expect(world.sim.botReplies(conversationId)).toHaveLength(1);
  });

  it('a slow Chatwoot that times out the client still stores the message: why the caller must reconcile, not repeat', async () => {
    const { conversationId } = world.sim.customerSays({ inboxId: ACCOUNT_1_INBOX, content: 'hi' });
    const { client } = world.client({ policy: { maxRetries: 4, timeoutMs: 150 } });
    world.sim.faults.configure({ methods: ['POST'], paths: [/\/messages$/], latencyMs: 400 });

    const error = await rejectionOf(
      client.createMessage({ accountId: 1, conversationId, content: 'slow answer', echoId: 'echo-slow' }),
    );
    expect(error).toMatchObject({ kind: 'timeout', isOutcomeUnknown: true });
    expect(world.sim.apiCalls({ method: 'POST', path: /\/messages$/ })).toHaveLength(1);
    const stored = await world.sim.waitForMessage(
      (message) => message.conversationId === conversationId && message.senderType === 'agent_bot',
      { timeoutMs: 2_000 },
    );
    expect(stored.echoId).toBe('echo-slow');
    expect(world.sim.botReplies(conversationId)).toHaveLength(1);
  });

  it('survives random 429/500/drop rates on every call: all 25 reads succeed, each needing ≥ 1 call', async () => {
    const { conversationId } = world.sim.customerSays({ inboxId: ACCOUNT_1_INBOX, content: 'hi' });
    world.sim.agentSetsLabels(conversationId, ['vip']);
    const { client } = world.client({ policy: { maxRetries: 8 } });
    world.sim.faults.configure({
      rate429: 0.2,
      rate500: 0.15,
      dropRate: 0.1,
      latencyMs: { min: 0, max: 10 },
    });

    for (let index = 0; index < 25; index++) {
      await expect(client.getLabels({ accountId: 1, conversationId })).resolves.toEqual(['vip']);
    }
    const calls = world.sim.apiCalls({ method: 'GET', path: '/labels' });
    expect(calls.filter((call) => call.status === 200)).toHaveLength(25);
    const faulted = calls.filter((call) => call.fault !== null);
    expect(faulted.length).toBeGreaterThan(5);
    expect(new Set(faulted.map((call) => (call.fault === 'drop' ? 'drop' : call.status)))).toEqual(
      new Set([429, 500, 'drop']),
    );
  });
});

describe('no retry where retrying cannot help', () => {
  it('404 (unknown conversation) is one call', async () => {
    const { client, sleeps } = world.client({ policy: { maxRetries: 6 } });
    const error = await rejectionOf(client.getLabels({ accountId: 1, conversationId: 999 }));
    expect(error).toMatchObject({ kind: 'http', status: 404, isRetryable: false });
    expect(world.sim.apiCalls({ path: '/conversations/999' })).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('401 (invalid token) is one call', async () => {
    const { conversationId } = world.sim.customerSays({ inboxId: ACCOUNT_1_INBOX, content: 'hi' });
    const { client, sleeps } = world.client({ policy: { maxRetries: 6 }, token: 'not-a-real-token' });
    const error = await rejectionOf(client.createMessage({ accountId: 1, conversationId, content: 'x' }));
    expect(error).toMatchObject({ kind: 'http', status: 401, isRetryable: false });
    expect(world.sim.apiCalls({ method: 'POST' })).toHaveLength(1);
    expect(world.sim.apiCalls()[0]!.tokenKind).toBe('none');
    expect(sleeps).toEqual([]);
    expect(world.sim.botReplies(conversationId)).toHaveLength(0);
  });

  it('401 for an account the bot does not serve is one call', async () => {
    const { client, sleeps } = world.client({ policy: { maxRetries: 6 } });
    const error = await rejectionOf(client.getLabels({ accountId: 3, conversationId: 1 }));
    expect(error).toMatchObject({ kind: 'http', status: 401, isRetryable: false });
    expect(world.sim.apiCalls()).toHaveLength(1);
    expect(world.sim.apiCalls()[0]!.tokenKind).toBe('bot');
    expect(sleeps).toEqual([]);
  });
});
