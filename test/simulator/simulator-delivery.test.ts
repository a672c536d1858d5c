import { afterEach, describe, expect, it } from 'vitest';

import type { TestSimulator } from './start-test-simulator.ts';
import { startTestSimulator } from './start-test-simulator.ts';

const BOT_FAILURE_ACTIVITY = 'Conversation was marked open by system due to an error with the agent bot.';

let t: TestSimulator | undefined;

afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('agent-bot webhook retries (contract §1.4)', () => {
  it.each([429, 500])(
    'retries %i up to 3 attempts with the same delivery id and a fresh timestamp',
    async (status) => {
      let clock = Date.parse('2026-07-17T09:41:20Z');
      t = await startTestSimulator({ now: () => clock });
      t.receiver.respondWith((_webhook, index) => {
        clock += 2000;
        return { status: index < 2 ? status : 200 };
      });
      const { conversationId } = t.simulator.customerSays({ inboxId: 3, content: 'Hello' });
      await t.simulator.idle();
      expect(t.receiver.received).toHaveLength(3);
      const deliveryIds = new Set(
        t.receiver.received.map((webhook) => webhook.headers['x-chatwoot-delivery']),
      );
      expect(deliveryIds.size).toBe(1);
      const timestamps = t.receiver.received.map((webhook) => webhook.headers['x-chatwoot-timestamp']);
      expect(new Set(timestamps).size).toBe(3);
      expect(new Set(t.receiver.received.map((webhook) => webhook.rawBody)).size).toBe(1);
      const [delivery] = t.simulator.deliveries();
      expect(delivery).toMatchObject({ event: 'message_created', state: 'delivered', conversationId });
      expect(delivery!.attempts.map((attempt) => attempt.status)).toEqual([status, status, 200]);
      expect(t.simulator.conversation(conversationId)?.status).toBe('pending');
    },
  );

  it('hands the conversation to humans after the final retryable failure', async () => {
    t = await startTestSimulator();
    t.receiver.respondWith((webhook) => ({ status: webhook.body.event === 'message_created' ? 500 : 200 }));
    const { conversationId } = t.simulator.customerSays({ inboxId: 3, content: 'Hello' });
    await t.simulator.idle();
    const [delivery] = t.simulator.deliveries({ event: 'message_created' });
    expect(delivery!.attempts.map((attempt) => attempt.status)).toEqual([500, 500, 500]);
    expect(delivery!.state).toBe('failed');
    expect(t.simulator.conversation(conversationId)?.status).toBe('open');
    expect(t.simulator.messages(conversationId, { kind: 'activity' }).map((m) => m.content)).toEqual([
      BOT_FAILURE_ACTIVITY,
    ]);
    // Opening emits the usual conversation events to the (still configured) bot.
    expect(t.receiver.events().filter((event) => event !== 'message_created')).toEqual([
      'conversation_opened',
      'conversation_status_changed',
      'conversation_updated',
    ]);
  });

  it.each([
    ['a 503', { status: 503 }],
    ['a 404', { status: 404 }],
  ])('fails at once on %s', async (_name, response) => {
    t = await startTestSimulator();
    t.receiver.respondWith(() => response);
    const { conversationId } = t.simulator.customerSays({ inboxId: 3, content: 'Hello' });
    await t.simulator.idle();
    const [delivery] = t.simulator.deliveries({ event: 'message_created' });
    expect(delivery!.attempts).toHaveLength(1);
    expect(t.simulator.conversation(conversationId)?.status).toBe('open');
  });

  it('fails at once on a timeout', async () => {
    t = await startTestSimulator({ webhookTimeoutMs: 100 });
    t.receiver.respondWith(() => ({ status: 200, delayMs: 1000 }));
    const { conversationId } = t.simulator.customerSays({ inboxId: 3, content: 'Hello' });
    await t.simulator.idle();
    const [delivery] = t.simulator.deliveries({ event: 'message_created' });
    expect(delivery!.attempts).toHaveLength(1);
    expect(delivery!.attempts[0]!.error).toMatch(/timeout/);
    expect(t.simulator.conversation(conversationId)?.status).toBe('open');
  });

  it('fails at once when the bot endpoint refuses connections', async () => {
    t = await startTestSimulator();
    const closedUrl = t.receiver.url;
    await t.receiver.close();
    t.simulator.setBotOutgoingUrl(7, closedUrl);
    const { conversationId } = t.simulator.customerSays({ inboxId: 3, content: 'Hello' });
    await t.simulator.idle();
    const [delivery] = t.simulator.deliveries({ event: 'message_created' });
    expect(delivery!.attempts).toHaveLength(1);
    expect(delivery!.attempts[0]!.status).toBeNull();
    expect(t.simulator.conversation(conversationId)?.status).toBe('open');
  });

  it('keeps the conversation pending when the account says so', async () => {
    t = await startTestSimulator();
    t.simulator.setAccountSettings(1, { keepPendingOnBotFailure: true });
    t.receiver.respondWith(() => ({ status: 502 }));
    const { conversationId } = t.simulator.customerSays({ inboxId: 3, content: 'Hello' });
    await t.simulator.idle();
    expect(t.simulator.conversation(conversationId)?.status).toBe('pending');
    expect(t.simulator.messages(conversationId, { kind: 'activity' })).toEqual([]);
  });

  it('does not hand off when a non-message event fails', async () => {
    t = await startTestSimulator();
    t.receiver.respondWith((webhook) => ({ status: webhook.body.event === 'message_created' ? 200 : 503 }));
    const { conversationId } = t.simulator.customerSays({ inboxId: 3, content: 'Hello' });
    t.simulator.agentSetsLabels(conversationId, ['vip']);
    await t.simulator.idle();
    expect(t.simulator.deliveries({ event: 'conversation_updated' })[0]!.state).toBe('failed');
    expect(t.simulator.conversation(conversationId)?.status).toBe('pending');
  });

  it('reset() cancels pending retries and clears state but keeps tokens and settings', async () => {
    t = await startTestSimulator({ retryDelayMs: 60_000 });
    t.receiver.respondWith(() => ({ status: 429 }));
    t.simulator.customerSays({ inboxId: 3, content: 'Hello' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(t.simulator.deliveries()[0]!.state).toBe('retry_wait');
    const tokenBefore = t.botToken;
    t.simulator.reset();
    await t.simulator.idle();
    expect(t.simulator.conversations()).toEqual([]);
    expect(t.simulator.deliveries()).toEqual([]);
    expect(t.simulator.world().agentBots[0]).toMatchObject({
      accessToken: tokenBefore,
      outgoingUrl: t.receiver.url,
    });
    t.receiver.respondWith(() => ({ status: 200 }));
    const { conversationId } = t.simulator.customerSays({ inboxId: 3, content: 'Hello again' });
    expect(conversationId).toBe(1);
    await t.simulator.idle();
    expect(t.simulator.deliveries()[0]!.state).toBe('delivered');
  });
});
