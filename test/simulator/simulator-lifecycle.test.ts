import { afterEach, describe, expect, it } from 'vitest';

import { createChatwootSimulator } from '../../src/simulator/create-chatwoot-simulator.ts';
import type { TestSimulator } from './start-test-simulator.ts';
import { startTestSimulator } from './start-test-simulator.ts';

const opened: TestSimulator[] = [];

async function open(options: Parameters<typeof startTestSimulator>[0] = {}): Promise<TestSimulator> {
  const simulator = await startTestSimulator(options);
  opened.push(simulator);
  return simulator;
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((simulator) => simulator.close()));
});

describe('independence and determinism', () => {
  it('runs two simulators side by side without shared state', async () => {
    const a = await open({ seed: 1 });
    const b = await open({ seed: 2 });
    expect(a.baseUrl).not.toBe(b.baseUrl);
    expect(a.botToken).not.toBe(b.botToken);
    a.simulator.customerSays({ inboxId: 3, content: 'only in a' });
    expect(b.simulator.conversations()).toEqual([]);
    expect((await b.api('GET', '/conversations/1', { token: a.botToken })).status).toBe(401);
    await a.simulator.idle();
    expect(a.receiver.received).toHaveLength(1);
    expect(b.receiver.received).toHaveLength(0);
  });

  it('generates the same tokens, secrets and ids from the same seed', () => {
    const first = createChatwootSimulator({ seed: 99 });
    const second = createChatwootSimulator({ seed: 99 });
    expect(first.world()).toEqual(second.world());
    const one = first.customerSays({ inboxId: 3, content: 'x' });
    const two = second.customerSays({ inboxId: 3, content: 'x' });
    expect(one).toEqual(two);
    expect(first.conversation(one.conversationId)?.uuid).toBe(second.conversation(two.conversationId)?.uuid);
  });
});

describe('watching messages', () => {
  it('waitForMessage resolves when the bot replies over HTTP', async () => {
    const t = await open();
    const { conversationId, messageId } = t.simulator.customerSays({ inboxId: 3, content: 'Hi' });
    const seen: string[] = [];
    const unsubscribe = t.simulator.onMessage((message) =>
      seen.push(`${message.messageType}:${message.content}`),
    );
    const reply = t.simulator.waitForMessage(
      (message) => message.senderType === 'agent_bot' && message.id > messageId,
      { timeoutMs: 2000 },
    );
    setTimeout(
      () => void t.api('POST', `/conversations/${conversationId}/messages`, { body: { content: 'Hello!' } }),
      20,
    );
    await expect(reply).resolves.toMatchObject({ content: 'Hello!', conversationId });
    unsubscribe();
    t.simulator.agentReplies(conversationId, 'ignored by the unsubscribed listener');
    expect(seen).toEqual(['outgoing:Hello!']);
    await expect(t.simulator.waitForMessage(() => false, { timeoutMs: 20 })).rejects.toThrow(
      /no matching message/,
    );
  });
});

describe('more Chatwoot behaviour', () => {
  it('message_updated is delivered and its failure also hands off a pending conversation', async () => {
    const t = await open();
    const { conversationId, messageId } = t.simulator.customerSays({ inboxId: 3, content: 'form' });
    await t.simulator.idle();
    t.receiver.respondWith(() => ({ status: 504 }));
    t.simulator.messageUpdated(messageId, { contentAttributes: { submitted_email: 'a@b.example' } });
    await t.simulator.idle();
    const updated = t.receiver.received[1]!.body;
    expect(updated).toMatchObject({
      event: 'message_updated',
      content_attributes: { submitted_email: 'a@b.example' },
    });
    expect(t.simulator.conversation(conversationId)?.status).toBe('open');
  });

  it('a bot can create a conversation; a human public reply sets first_reply_created_at and clears waiting_since', async () => {
    const t = await open();
    const { contactId } = t.simulator.customerSays({ inboxId: 3, content: 'first' });
    const created = await t.api('POST', '/conversations', {
      body: { inbox_id: 3, contact_id: contactId, status: 'open', message: { content: 'Outbound hello' } },
    });
    expect(created.status).toBe(200);
    const id = (created.json as { id: number }).id;
    expect(id).toBe(2);
    expect(t.simulator.conversation(id)).toMatchObject({ status: 'open', contactId });
    expect(t.simulator.botReplies(id).map((m) => m.content)).toEqual(['Outbound hello']);
    // A bot reply never counts as the first (human) reply.
    expect(t.simulator.conversation(id)?.firstReplyCreatedAt).toBeNull();
    t.simulator.agentReplies(id, 'Human here');
    expect(t.simulator.conversation(id)).toMatchObject({
      waitingSince: null,
      firstReplyCreatedAt: expect.any(Number),
    });
  });

  it('a bot in another account is refused', async () => {
    const t = await open({
      world: {
        accounts: [
          { id: 1, name: 'Acme Support' },
          { id: 2, name: 'Other' },
        ],
        agentBots: [
          { id: 7, accountId: 1, name: 'Acme Assistant' },
          { id: 8, accountId: 2, name: 'Other Bot' },
        ],
        inboxes: [{ id: 3, accountId: 1, name: 'Web', channel: 'Channel::WebWidget', agentBotId: 7 }],
        users: [{ id: 3, name: 'Daniel Kim', email: 'daniel.kim@acme.example', accountIds: [1] }],
        teams: [],
      },
    });
    const { conversationId } = t.simulator.customerSays({ inboxId: 3, content: 'Hi' });
    const otherBotToken = t.simulator.world().agentBots.find((bot) => bot.id === 8)!.accessToken;
    const response = await t.api('GET', `/conversations/${conversationId}`, { token: otherBotToken });
    expect(response.status).toBe(401);
    expect(response.json).toEqual({ error: 'Bot is not authorized to access this account' });
  });
});
