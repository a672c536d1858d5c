import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createChatwootClient } from '../../src/chatwoot/client/create-chatwoot-client.ts';
import { createChatwootRateLimiter } from '../../src/chatwoot/client/create-chatwoot-rate-limiter.ts';
import { createLogger } from '../../src/logging/create-logger.ts';
import { BOT_TOKEN, buildTestClient, rejectionOf, USER_TOKEN } from './build-test-client.ts';
import { type FaultServer, startFaultServer } from './fault-server.ts';

const conversation = { accountId: 3, conversationId: 57 };
const base = '/api/v1/accounts/3/conversations/57';
const notForBots = { status: 401, body: { error: 'Access to this endpoint is not authorized for bots' } };
const conversationBody = (extra: Record<string, unknown> = {}) => ({
  id: 57,
  status: 'pending',
  labels: ['vip'],
  custom_attributes: { tier: 'gold', plan: 'pro' },
  meta: { assignee: null, assignee_type: null, unknown_new_field: { x: 1 } },
  brand_new_top_level_field: true,
  ...extra,
});

let server: FaultServer;
beforeEach(async () => {
  server = await startFaultServer();
});
afterEach(async () => {
  await server.close();
});

const sent = () => server.requests.map((request) => [request.method, request.url, request.body]);

describe('simple operations send what Chatwoot expects (contract §3.2)', () => {
  it('toggleStatus sends status and snoozed_until in unix seconds', async () => {
    const { client } = buildTestClient({ baseUrl: server.url });
    server.enqueue({
      status: 200,
      body: { meta: {}, payload: { success: null, current_status: 'snoozed' } },
    });

    const result = await client.toggleStatus({
      ...conversation,
      status: 'snoozed',
      snoozedUntil: new Date('2026-11-25T10:00:00.900Z'),
    });

    expect(result).toEqual({ currentStatus: 'snoozed' });
    expect(sent()).toEqual([
      ['POST', `${base}/toggle_status`, { status: 'snoozed', snoozed_until: 1795600800 }],
    ]);
  });

  it('toggleTypingStatus, togglePriority (null clears) and the three assignment forms', async () => {
    const { client } = buildTestClient({ baseUrl: server.url });
    server.setFallback(() => ({ status: 200 }));

    await client.toggleTypingStatus({ ...conversation, typingStatus: 'on' });
    await client.togglePriority({ ...conversation, priority: 'urgent' });
    await client.togglePriority({ ...conversation, priority: null });
    await client.assign({ ...conversation, assigneeId: 5 });
    await client.assign({ ...conversation, teamId: 2 });
    await client.assign({ ...conversation, agentBotId: 9 });

    expect(sent()).toEqual([
      ['POST', `${base}/toggle_typing_status`, { typing_status: 'on', is_private: false }],
      ['POST', `${base}/toggle_priority`, { priority: 'urgent' }],
      ['POST', `${base}/toggle_priority`, { priority: null }],
      ['POST', `${base}/assignments`, { assignee_id: 5 }],
      ['POST', `${base}/assignments`, { team_id: 2 }],
      ['POST', `${base}/assignments`, { assignee_id: 9, assignee_type: 'AgentBot' }],
    ]);
  });

  it('createMessage passes private, content type and attributes through', async () => {
    const { client } = buildTestClient({ baseUrl: server.url });
    server.enqueue({ status: 200, body: { id: 1, private: true } });

    await client.createMessage({
      ...conversation,
      content: 'Pick one',
      private: true,
      contentType: 'input_select',
      contentAttributes: { items: [{ title: 'A', value: 'a' }] },
    });

    expect(server.requests[0]!.body).toEqual({
      content: 'Pick one',
      message_type: 'outgoing',
      private: true,
      content_type: 'input_select',
      content_attributes: { items: [{ title: 'A', value: 'a' }] },
    });
  });
});

describe('read-modify-write', () => {
  it('addLabels reads the labels and writes the union, because Chatwoot replaces the list', async () => {
    const { client } = buildTestClient({ baseUrl: server.url });
    server.enqueue(
      { status: 200, body: { payload: ['vip', 'billing'] } },
      { status: 200, body: { payload: ['vip', 'billing', 'handoff'] } },
    );

    await expect(client.addLabels({ ...conversation, labels: ['handoff', 'vip'] })).resolves.toEqual([
      'vip',
      'billing',
      'handoff',
    ]);
    expect(sent()).toEqual([
      ['GET', `${base}/labels`, undefined],
      ['POST', `${base}/labels`, { labels: ['vip', 'billing', 'handoff'] }],
    ]);
  });

  it('addLabels skips the write when every label is already there', async () => {
    const { client } = buildTestClient({ baseUrl: server.url });
    server.enqueue({ status: 200, body: { payload: ['vip'] } });

    await expect(client.addLabels({ ...conversation, labels: ['vip'] })).resolves.toEqual(['vip']);
    expect(server.requests).toHaveLength(1);
  });

  it('mergeCustomAttributes reads the conversation and writes the merged hash', async () => {
    const { client } = buildTestClient({ baseUrl: server.url });
    server.enqueue(
      { status: 200, body: conversationBody() },
      { status: 200, body: { custom_attributes: { tier: 'gold', plan: 'enterprise', seats: 40 } } },
    );

    const merged = await client.mergeCustomAttributes({
      ...conversation,
      customAttributes: { plan: 'enterprise', seats: 40 },
    });

    expect(merged).toEqual({ tier: 'gold', plan: 'enterprise', seats: 40 });
    expect(sent()).toEqual([
      ['GET', base, undefined],
      [
        'POST',
        `${base}/custom_attributes`,
        { custom_attributes: { tier: 'gold', plan: 'enterprise', seats: 40 } },
      ],
    ]);
  });

  it('setCustomAttributes replaces the hash as given', async () => {
    const { client } = buildTestClient({ baseUrl: server.url });
    server.enqueue({ status: 200, body: { custom_attributes: { only: 'this' } } });

    await expect(
      client.setCustomAttributes({ ...conversation, customAttributes: { only: 'this' } }),
    ).resolves.toEqual({
      only: 'this',
    });
    expect(sent()).toEqual([['POST', `${base}/custom_attributes`, { custom_attributes: { only: 'this' } }]]);
  });
});

describe('getConversation on Chatwoot older than 4.14.2', () => {
  it('parses a conversation leniently (unknown fields pass, nulls accepted)', async () => {
    const { client } = buildTestClient({ baseUrl: server.url });
    server.enqueue({ status: 200, body: conversationBody({ priority: null, snoozed_until: null }) });

    const result = await client.getConversation(conversation);

    expect(result).toMatchObject({
      isSupported: true,
      conversation: { id: 57, status: 'pending', labels: ['vip'] },
    });
  });

  it('returns "unsupported" on the bots-not-allowed 401 and does not ask again', async () => {
    const test = buildTestClient({ baseUrl: server.url });
    server.enqueue(notForBots);

    const first = await test.client.getConversation(conversation);
    const second = await test.client.getConversation(conversation);

    expect(first).toMatchObject({ isSupported: false, reason: expect.stringContaining('4.14.2') });
    expect(second).toEqual(first);
    expect(server.requests).toHaveLength(1);
    expect(test.logs.some((line) => line['level'] === 'warn' && String(line['msg']).includes('4.14.2'))).toBe(
      true,
    );
  });

  it('falls back to the user token when one is configured, and keeps using it', async () => {
    const { client } = buildTestClient({ baseUrl: server.url, userToken: USER_TOKEN });
    server.enqueue(
      notForBots,
      { status: 200, body: conversationBody() },
      { status: 200, body: conversationBody() },
    );

    await expect(client.getConversation(conversation)).resolves.toMatchObject({ isSupported: true });
    await expect(client.getConversation(conversation)).resolves.toMatchObject({ isSupported: true });

    expect(server.requests.map((request) => request.headers['api_access_token'])).toEqual([
      BOT_TOKEN,
      USER_TOKEN,
      USER_TOKEN,
    ]);
  });

  it('still throws on other 401s (a wrong token is a configuration error)', async () => {
    const { client } = buildTestClient({ baseUrl: server.url });
    server.setFallback(() => ({ status: 401, body: { error: 'Invalid Access Token' } }));

    await expect(client.getConversation(conversation)).rejects.toMatchObject({ kind: 'http', status: 401 });
    await expect(client.getConversation(conversation)).rejects.toMatchObject({ status: 401 });
    expect(server.requests).toHaveLength(2);
  });

  it('mergeCustomAttributes fails with a typed "unsupported" error when the conversation cannot be read', async () => {
    const { client } = buildTestClient({ baseUrl: server.url });
    server.enqueue(notForBots);

    const error = await rejectionOf(
      client.mergeCustomAttributes({ ...conversation, customAttributes: { a: 1 } }),
    );

    expect(error).toMatchObject({
      kind: 'unsupported',
      isRetryable: false,
      operation: 'mergeCustomAttributes',
    });
    expect(server.requests).toHaveLength(1);
  });
});

describe('user-token operations', () => {
  it('fail with a typed error and no request when no user token is configured', async () => {
    const { client } = buildTestClient({ baseUrl: server.url });

    await expect(client.listMessages(conversation)).rejects.toMatchObject({
      kind: 'missing_user_token',
      operation: 'listMessages',
      isRetryable: false,
    });
    await expect(client.getContact({ accountId: 3, contactId: 8 })).rejects.toMatchObject({
      kind: 'missing_user_token',
      operation: 'getContact',
    });
    expect(server.requests).toHaveLength(0);
  });

  it('use the user token; listMessages passes before/after and getContact unwraps payload', async () => {
    const { client } = buildTestClient({ baseUrl: server.url, userToken: USER_TOKEN });
    server.enqueue(
      {
        status: 200,
        body: {
          meta: { labels: ['vip'], contact: { id: 8 } },
          payload: [{ id: 11, content: 'hi', message_type: 0, sender: { id: 8, type: 'contact' } }],
        },
      },
      { status: 200, body: { payload: { id: 8, name: 'Ada', email: null, custom_attributes: {} } } },
    );

    const page = await client.listMessages({ ...conversation, before: 100, after: 10 });
    const contact = await client.getContact({ accountId: 3, contactId: 8 });

    expect(page.messages).toEqual([
      { id: 11, content: 'hi', message_type: 0, sender: { id: 8, type: 'contact' } },
    ]);
    expect(page.meta).toMatchObject({ labels: ['vip'] });
    expect(contact).toMatchObject({ id: 8, name: 'Ada' });
    expect(server.requests.map((request) => [request.url, request.headers['api_access_token']])).toEqual([
      [`${base}/messages?before=100&after=10`, USER_TOKEN],
      ['/api/v1/accounts/3/contacts/8', USER_TOKEN],
    ]);
  });
});

describe('response checking', () => {
  it('rejects a 2xx body without the fields we need as invalid_response (and does not retry it)', async () => {
    const { client } = buildTestClient({ baseUrl: server.url });
    server.setFallback(() => ({ status: 200, body: { content: 'no id here' } }));

    const error = await rejectionOf(client.createMessage({ ...conversation, content: 'x' }));

    expect(error).toMatchObject({ kind: 'invalid_response', status: 200, isRetryable: false });
    expect(server.requests).toHaveLength(1);
  });

  it('rejects a 2xx body that is not JSON', async () => {
    const { client } = buildTestClient({ baseUrl: server.url });
    server.enqueue({ status: 200, body: '<html>login</html>' });

    await expect(client.getLabels(conversation)).rejects.toMatchObject({ kind: 'invalid_response' });
  });

  it('accepts an empty 200 where Chatwoot sends one', async () => {
    const { client } = buildTestClient({ baseUrl: server.url });
    server.enqueue({ status: 200 }, { status: 200 });

    await expect(client.togglePriority({ ...conversation, priority: 'low' })).resolves.toBeUndefined();
    await expect(client.assign({ ...conversation, teamId: 1 })).resolves.toBeUndefined();
  });

  it('truncates a huge error body', async () => {
    const { client } = buildTestClient({ baseUrl: server.url });
    server.enqueue({ status: 400, body: 'x'.repeat(50_000) });

    const error = await rejectionOf(client.getLabels(conversation));

    expect((error as { body: string }).body.length).toBeLessThan(2_100);
  });
});

describe('construction', () => {
  it('refuses a connection without base URL or token', () => {
    const deps = {
      logger: createLogger({ level: 'silent' }),
      limiter: createChatwootRateLimiter({ perMinute: 60, burst: 1, maxWaitMs: 0 }),
    };
    expect(() => createChatwootClient(deps, { name: 'x', allowUnsigned: false, apiToken: 't' })).toThrow(
      /baseUrl/,
    );
    expect(() =>
      createChatwootClient(deps, { name: 'x', allowUnsigned: false, baseUrl: 'http://127.0.0.1:1' }),
    ).toThrow(/apiToken/);
  });
});
