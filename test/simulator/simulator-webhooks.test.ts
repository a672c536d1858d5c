import { createHmac, timingSafeEqual } from 'node:crypto';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { TestSimulator } from './start-test-simulator.ts';
import { startTestSimulator } from './start-test-simulator.ts';

let t: TestSimulator;

beforeEach(async () => {
  t = await startTestSimulator();
});

afterEach(async () => {
  await t.close();
});

/** Independent of the simulator's signing code: the recipe from contract §1.3. */
function isValidSignature(secret: string, timestamp: string, rawBody: string, signature: string): boolean {
  const expected = `sha256=${createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')}`;
  return (
    expected.length === signature.length && timingSafeEqual(Buffer.from(expected), Buffer.from(signature))
  );
}

describe('delivery format', () => {
  it('signs timestamp.body with the bot secret and sends Chatwoot headers', async () => {
    t.simulator.customerSays({ inboxId: 3, content: 'Hello' });
    await t.simulator.idle();
    expect(t.receiver.received).toHaveLength(1);
    const [webhook] = t.receiver.received;
    const headers = webhook!.headers;
    expect(headers['content-type']).toBe('application/json');
    expect(headers.accept).toBe('application/json');
    expect(headers['x-chatwoot-delivery']).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    const timestamp = String(headers['x-chatwoot-timestamp']);
    expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(5);
    expect(
      isValidSignature(t.botSecret, timestamp, webhook!.rawBody, String(headers['x-chatwoot-signature'])),
    ).toBe(true);
    expect(
      isValidSignature(
        'wrong-secret-000000000000',
        timestamp,
        webhook!.rawBody,
        String(headers['x-chatwoot-signature']),
      ),
    ).toBe(false);
    expect(t.botSecret).toHaveLength(24);
    expect(Object.keys(webhook!.body).at(-1)).toBe('event');
  });

  it('sends unsigned deliveries when the bot has no secret', async () => {
    await t.close();
    t = await startTestSimulator({
      world: {
        accounts: [{ id: 1, name: 'Acme Support' }],
        agentBots: [{ id: 7, accountId: 1, name: 'Old Bot', secret: null }],
        inboxes: [{ id: 3, accountId: 1, name: 'Web', channel: 'Channel::WebWidget', agentBotId: 7 }],
        users: [{ id: 3, name: 'Daniel Kim', email: 'daniel.kim@acme.example', accountIds: [1] }],
        teams: [],
      },
    });
    t.simulator.customerSays({ inboxId: 3, content: 'Hello' });
    await t.simulator.idle();
    const headers = t.receiver.received[0]!.headers;
    expect(headers['x-chatwoot-delivery']).toBeDefined();
    expect(headers['x-chatwoot-timestamp']).toBeUndefined();
    expect(headers['x-chatwoot-signature']).toBeUndefined();
  });

  it('does not block the API response on a slow bot', async () => {
    t.receiver.respondWith(() => ({ status: 200, delayMs: 400 }));
    const { conversationId } = t.simulator.customerSays({ inboxId: 3, content: 'Hello' });
    const started = Date.now();
    const response = await t.api('POST', `/conversations/${conversationId}/messages`, {
      body: { content: 'Hi' },
    });
    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(300);
    await t.simulator.idle();
    expect(t.receiver.events()).toEqual(['message_created', 'message_created']);
  });
});

describe('which events the bot receives', () => {
  it('gets incoming, its own echo, private notes, human replies and templates, never activity', async () => {
    const { conversationId: id } = t.simulator.customerSays({ inboxId: 3, content: 'Hi' });
    await t.api('POST', `/conversations/${id}/messages`, { body: { content: 'Bot reply' } });
    t.simulator.templateMessage(id, 'We are away');
    t.simulator.agentReplies(id, 'Internal note', { private: true });
    await t.simulator.idle();
    const bodies = t.receiver.received.map((webhook) => webhook.body);
    expect(bodies.map((body) => [body.event, body.message_type, body.private])).toEqual([
      ['message_created', 'incoming', false],
      ['message_created', 'outgoing', false],
      ['message_created', 'template', false],
      ['message_created', 'outgoing', true],
    ]);
    expect((bodies[1]!.sender as { type: string }).type).toBe('agent_bot');
    expect(bodies[2]!.sender).toBeNull();
    expect((bodies[3]!.sender as { type: string }).type).toBe('user');
    expect(t.simulator.messages(id, { kind: 'activity' })).toEqual([]);
  });

  it('a bot handoff emits opened, status_changed and updated; its activity message is not sent', async () => {
    const { conversationId: id } = t.simulator.customerSays({ inboxId: 3, content: 'Human please' });
    await t.simulator.idle();
    const response = await t.api('POST', `/conversations/${id}/toggle_status`, { body: { status: 'open' } });
    expect(response.json).toEqual({
      meta: {},
      payload: { success: null, conversation_id: id, current_status: 'open', snoozed_until: null },
    });
    await t.simulator.idle();
    const events = t.receiver.events().slice(1);
    expect(events).toEqual(['conversation_opened', 'conversation_status_changed', 'conversation_updated']);
    const statusChanged = t.receiver.received[2]!.body;
    expect(statusChanged).toMatchObject({ status: 'open', changed_attributes: null });
    const updated = t.receiver.received[3]!.body;
    expect(updated.changed_attributes).toEqual([
      { status: { previous_value: 'pending', current_value: 'open' } },
      { updated_at: expect.objectContaining({ current_value: expect.any(String) }) },
    ]);
    expect(t.simulator.messages(id, { kind: 'activity' }).map((m) => m.content)).toEqual([
      'Conversation was reopened by Acme Assistant',
    ]);
    expect(t.simulator.conversation(id)?.waitingSince).not.toBeNull();
  });

  it('assigning a user emits conversation_updated with assignee_id', async () => {
    const { conversationId: id } = t.simulator.customerSays({ inboxId: 3, content: 'Hi' });
    t.simulator.agentAssigns(id, 3);
    await t.simulator.idle();
    const updated = t.receiver.received.find(
      (webhook) => webhook.body.event === 'conversation_updated',
    )!.body;
    expect((updated.changed_attributes as Record<string, unknown>[])[0]).toEqual({
      assignee_id: { previous_value: null, current_value: 3 },
    });
    expect(updated.meta).toMatchObject({ assignee: { id: 3, type: 'user' }, assignee_type: 'User' });
  });

  it('an incoming message reopens resolved as pending (bot inbox) and snoozed as open', () => {
    const { conversationId: id } = t.simulator.customerSays({ inboxId: 3, content: 'Hi' });
    t.simulator.agentSetsStatus(id, 'resolved');
    t.simulator.customerSays({ inboxId: 3, conversationId: id, content: 'Back again' });
    expect(t.simulator.conversation(id)?.status).toBe('pending');
    t.simulator.agentSetsStatus(id, 'snoozed');
    t.simulator.customerSays({ inboxId: 3, conversationId: id, content: 'And again' });
    expect(t.simulator.conversation(id)?.status).toBe('open');
    const { conversationId: apiConversation } = t.simulator.customerSays({
      inboxId: 4,
      content: 'API inbox',
    });
    expect(t.simulator.conversation(apiConversation)?.status).toBe('open');
    t.simulator.agentSetsStatus(apiConversation, 'resolved');
    t.simulator.customerSays({ inboxId: 4, conversationId: apiConversation, content: 'Hello?' });
    expect(t.simulator.conversation(apiConversation)?.status).toBe('open');
  });

  it('emits webwidget_triggered when the widget opens', async () => {
    t.simulator.widgetOpened({ inboxId: 3 });
    await t.simulator.idle();
    expect(t.receiver.received[0]!.body).toMatchObject({
      event: 'webwidget_triggered',
      current_conversation: null,
    });
  });

  it('sends nothing for inboxes without an active bot', async () => {
    t.simulator.customerSays({ inboxId: 4, content: 'Hello' });
    t.simulator.setInboxBot(3, 7, false);
    t.simulator.customerSays({ inboxId: 3, content: 'Hello' });
    await t.simulator.idle();
    expect(t.receiver.received).toEqual([]);
  });
});
