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

function startConversation(): number {
  return t.simulator.customerSays({ inboxId: 3, content: 'Where is my order?' }).conversationId;
}

describe('authentication and the bot whitelist', () => {
  it('rejects a missing or unknown token with Invalid Access Token', async () => {
    const id = startConversation();
    for (const token of [null, 'nope']) {
      const response = await t.api('GET', `/conversations/${id}`, { token });
      expect(response.status).toBe(401);
      expect(response.json).toEqual({ error: 'Invalid Access Token' });
    }
  });

  it.each([
    ['GET', '/conversations/1/messages'],
    ['GET', '/contacts/1'],
    ['GET', '/conversations'],
    ['DELETE', '/conversations/1'],
  ])('denies a bot %s %s', async (method, path) => {
    startConversation();
    const response = await t.api(method, path);
    expect(response.status).toBe(401);
    expect(response.json).toEqual({ error: 'Access to this endpoint is not authorized for bots' });
  });

  it('lets a user token read messages and contacts', async () => {
    const { conversationId, contactId } = t.simulator.customerSays({ inboxId: 3, content: 'Hi' });
    const messages = await t.api('GET', `/conversations/${conversationId}/messages`, { token: t.userToken });
    expect(messages.status).toBe(200);
    expect((messages.json as { payload: { content: string }[] }).payload.map((m) => m.content)).toEqual([
      'Hi',
    ]);
    const contact = await t.api('GET', `/contacts/${contactId}`, { token: t.userToken });
    expect(contact.status).toBe(200);
    expect((contact.json as { payload: { id: number } }).payload.id).toBe(contactId);
  });

  it('answers 404 for an unknown conversation', async () => {
    const response = await t.api('POST', '/conversations/999/messages', { body: { content: 'x' } });
    expect(response.status).toBe(404);
    expect(response.json).toEqual({ error: 'Resource could not be found' });
  });

  it('lets bots GET a conversation, unless simulating Chatwoot < 4.14.2', async () => {
    const id = startConversation();
    const shown = await t.api('GET', `/conversations/${id}`);
    expect(shown.status).toBe(200);
    expect(shown.json).toMatchObject({
      id,
      status: 'pending',
      inbox_id: 3,
      meta: { channel: 'Channel::WebWidget' },
    });
    await t.close();
    t = await startTestSimulator({ botMayReadConversation: false });
    const oldId = startConversation();
    const denied = await t.api('GET', `/conversations/${oldId}`);
    expect(denied.status).toBe(401);
  });
});

describe('messages', () => {
  it('creates a bot message with Chatwoot response shapes', async () => {
    const id = startConversation();
    const response = await t.api('POST', `/conversations/${id}/messages`, {
      body: { content: 'Hello!', message_type: 'outgoing', private: false, echo_id: 'echo-1' },
    });
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({
      content: 'Hello!',
      echo_id: 'echo-1',
      conversation_id: id,
      message_type: 1,
      status: 'sent',
      private: false,
      sender: { id: 7, name: 'Acme Assistant', avatar_url: '', type: 'agent_bot' },
    });
    expect(Number.isInteger((response.json as { created_at: number }).created_at)).toBe(true);
    expect(t.simulator.botReplies(id).map((m) => m.content)).toEqual(['Hello!']);
  });

  it('keeps private notes apart from public replies', async () => {
    const id = startConversation();
    await t.api('POST', `/conversations/${id}/messages`, { body: { content: 'note', private: true } });
    expect(t.simulator.privateNotes(id).map((m) => m.content)).toEqual(['note']);
    expect(t.simulator.botReplies(id)).toEqual([]);
  });

  it('rejects incoming messages outside API inboxes', async () => {
    const id = startConversation();
    const response = await t.api('POST', `/conversations/${id}/messages`, {
      body: { content: 'x', message_type: 'incoming' },
    });
    expect(response.status).toBe(422);
    expect(response.json).toEqual({ error: 'Incoming messages are only allowed in Api inboxes' });
  });

  it('enforces the flood guard of 200 messages per conversation per minute', async () => {
    let clock = Date.parse('2026-07-17T09:00:00Z');
    await t.close();
    t = await startTestSimulator({ now: () => clock });
    const id = startConversation(); // message 1
    for (let index = 0; index < 199; index += 1) {
      const ok = await t.api('POST', `/conversations/${id}/messages`, { body: { content: `m${index}` } });
      expect(ok.status).toBe(200);
    }
    const rejected = await t.api('POST', `/conversations/${id}/messages`, {
      body: { content: 'one too many' },
    });
    expect(rejected.status).toBe(422);
    expect(rejected.json).toEqual({ error: 'Validation failed: Too many messages' });
    clock += 61_000;
    const later = await t.api('POST', `/conversations/${id}/messages`, {
      body: { content: 'after a minute' },
    });
    expect(later.status).toBe(200);
  });

  it('pages history with before and after', async () => {
    const { conversationId: id } = t.simulator.customerSays({ inboxId: 3, content: 'm0' });
    for (let index = 1; index < 30; index += 1)
      t.simulator.customerSays({ inboxId: 3, conversationId: id, content: `m${index}` });
    const latest = await t.api('GET', `/conversations/${id}/messages`, { token: t.userToken });
    const latestIds = (latest.json as { payload: { id: number }[] }).payload.map((m) => m.id);
    expect(latestIds).toHaveLength(20);
    const before = await t.api('GET', `/conversations/${id}/messages?before=${latestIds[0]}`, {
      token: t.userToken,
    });
    expect((before.json as { payload: unknown[] }).payload.length).toBeGreaterThan(0);
    const after = await t.api('GET', `/conversations/${id}/messages?after=${latestIds[17]}`, {
      token: t.userToken,
    });
    expect((after.json as { payload: { id: number }[] }).payload.map((m) => m.id)).toEqual(
      latestIds.slice(18),
    );
  });
});

describe('conversation endpoints', () => {
  it('toggle_status answers like Chatwoot and a user can resolve', async () => {
    const id = startConversation();
    const response = await t.api('POST', `/conversations/${id}/toggle_status`, {
      token: t.userToken,
      body: { status: 'resolved' },
    });
    expect(response.json).toEqual({
      meta: {},
      payload: { success: true, conversation_id: id, current_status: 'resolved', snoozed_until: null },
    });
    const invalid = await t.api('POST', `/conversations/${id}/toggle_status`, { body: { status: 'closed' } });
    expect(invalid.status).toBe(422);
  });

  it('labels and custom attributes replace rather than merge', async () => {
    const id = startConversation();
    await t.api('POST', `/conversations/${id}/labels`, { body: { labels: ['billing', 'vip'] } });
    const replaced = await t.api('POST', `/conversations/${id}/labels`, { body: { labels: ['shipping'] } });
    expect(replaced.json).toEqual({ payload: ['shipping'] });
    expect((await t.api('GET', `/conversations/${id}/labels`)).json).toEqual({ payload: ['shipping'] });

    await t.api('POST', `/conversations/${id}/custom_attributes`, {
      body: { custom_attributes: { a: 1, b: 2 } },
    });
    const attributes = await t.api('POST', `/conversations/${id}/custom_attributes`, {
      body: { custom_attributes: { c: 3 } },
    });
    expect(attributes.json).toEqual({ custom_attributes: { c: 3 } });
    expect(t.simulator.conversation(id)).toMatchObject({ labels: ['shipping'], customAttributes: { c: 3 } });
  });

  it('toggle_priority answers 200 with an empty body', async () => {
    const id = startConversation();
    const response = await t.api('POST', `/conversations/${id}/toggle_priority`, {
      body: { priority: 'urgent' },
    });
    expect(response.status).toBe(200);
    expect(response.text).toBe('');
    expect(t.simulator.conversation(id)?.priority).toBe('urgent');
  });

  it('records a typing timeline', async () => {
    const id = startConversation();
    await t.api('POST', `/conversations/${id}/toggle_typing_status`, { body: { typing_status: 'on' } });
    await t.api('POST', `/conversations/${id}/toggle_typing_status`, { body: { typing_status: 'off' } });
    const timeline = t.simulator.typingTimeline(id);
    expect(timeline.map((event) => [event.performer, event.performerId, event.typingStatus])).toEqual([
      ['agent_bot', 7, 'on'],
      ['agent_bot', 7, 'off'],
    ]);
  });

  it('assigning a user clears the bot assignee and answers with the agent', async () => {
    const id = startConversation();
    const bot = await t.api('POST', `/conversations/${id}/assignments`, {
      body: { assignee_id: 7, assignee_type: 'AgentBot' },
    });
    expect(bot.json).toMatchObject({ id: 7, name: 'Acme Assistant' });
    expect(t.simulator.conversation(id)).toMatchObject({ assigneeAgentBotId: 7, assigneeId: null });
    const user = await t.api('POST', `/conversations/${id}/assignments`, { body: { assignee_id: 3 } });
    expect(user.json).toMatchObject({ id: 3, name: 'Daniel Kim', email: 'daniel.kim@acme.example' });
    expect(t.simulator.conversation(id)).toMatchObject({ assigneeAgentBotId: null, assigneeId: 3 });
    const team = await t.api('POST', `/conversations/${id}/assignments`, { body: { team_id: 1 } });
    expect(team.json).toMatchObject({ id: 1, name: 'Support' });
    expect(t.simulator.conversation(id)?.teamId).toBe(1);
  });

  it('logs every API call with its token kind and status', async () => {
    const id = startConversation();
    await t.api('GET', `/conversations/${id}`);
    await t.api('GET', `/conversations/${id}/messages`, { token: t.userToken });
    await t.api('GET', `/conversations/${id}`, { token: null });
    const calls = t.simulator.apiCalls();
    expect(calls.map((call) => [call.method, call.tokenKind, call.status])).toEqual([
      ['GET', 'bot', 200],
      ['GET', 'user', 200],
      ['GET', 'none', 401],
    ]);
    expect(t.simulator.apiCalls({ tokenKind: 'user' })).toHaveLength(1);
  });
});
