import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ChatwootApiError } from '../../src/chatwoot/client/chatwoot-api-error.ts';
import { BOT_TOKEN, buildTestClient, rejectionOf } from './build-test-client.ts';
import { type FaultServer, reserveClosedPortUrl, startFaultServer } from './fault-server.ts';

const conversation = { accountId: 1, conversationId: 42 };
const created = { status: 200, body: { id: 9002, content: 'hi', message_type: 1, echo_id: 'e-1' } };
const tooManyMessages = { status: 422, body: { error: 'Validation failed: Too many messages' } };
const rackAttack429 = { status: 429, body: 'Retry later\n' };

let server: FaultServer;
beforeEach(async () => {
  server = await startFaultServer();
});
afterEach(async () => {
  await server.close();
});

describe('request shape', () => {
  it('sends the bot token, a JSON body and the conversation path, and returns the parsed message', async () => {
    const { client } = buildTestClient({ baseUrl: `${server.url}/` });
    server.enqueue(created);

    const message = await client.createMessage({ ...conversation, content: 'Hello', echoId: 'e-1' });

    expect(message).toMatchObject({ id: 9002, echo_id: 'e-1' });
    const [request] = server.requests;
    expect(request).toMatchObject({ method: 'POST', url: '/api/v1/accounts/1/conversations/42/messages' });
    expect(request!.headers['api_access_token']).toBe(BOT_TOKEN);
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.body).toEqual({
      content: 'Hello',
      message_type: 'outgoing',
      private: false,
      echo_id: 'e-1',
    });
  });

  it('logs every call at debug with operation, status, duration and attempt, never the token or the content', async () => {
    const test = buildTestClient({ baseUrl: server.url });
    server.enqueue(rackAttack429, created);

    await test.client.createMessage({ ...conversation, content: 'very private words' });

    const calls = test.logs.filter((line) => String(line['msg']).startsWith('chatwoot call'));
    expect(calls.map((line) => [line['level'], line['operation'], line['status'], line['attempt']])).toEqual([
      ['debug', 'createMessage', 429, 1],
      ['debug', 'createMessage', undefined, 2],
      ['debug', 'createMessage', 200, 2],
    ]);
    expect(calls.at(-1)).toHaveProperty('durationMs');
    expect(test.logText()).not.toContain(BOT_TOKEN);
    expect(test.logText()).not.toContain('very private words');
  });
});

describe('retries', () => {
  it.each([
    ['429 (plain-text "Retry later", no Retry-After)', rackAttack429],
    ['500', { status: 500, body: { error: 'boom' } }],
    ['503', { status: 503, body: 'unavailable' }],
    ['422 "Too many messages"', tooManyMessages],
  ])('retries createMessage after %s, with full-jitter exponential backoff', async (_name, fault) => {
    const test = buildTestClient({ baseUrl: server.url, random: () => 0.5 });
    server.enqueue(fault, fault, created);

    await expect(test.client.createMessage({ ...conversation, content: 'x' })).resolves.toMatchObject({
      id: 9002,
    });

    expect(server.requests).toHaveLength(3);
    // random 0.5 × min(40, 10 · 2^(n-1)): 5 ms, then 10 ms.
    expect(test.sleeps).toEqual([5, 10]);
  });

  it('retries an idempotent call after the connection drops mid-request', async () => {
    const { client } = buildTestClient({ baseUrl: server.url });
    server.enqueue({ drop: true }, { status: 200, body: { payload: { current_status: 'open' } } });

    await expect(client.toggleStatus({ ...conversation, status: 'open' })).resolves.toEqual({
      currentStatus: 'open',
    });
    expect(server.requests).toHaveLength(2);
  });

  it('gives up after maxRetries and reports the last failure', async () => {
    const { client } = buildTestClient({ baseUrl: server.url, policy: { maxRetries: 2 } });
    server.setFallback(() => ({ status: 502, body: 'bad gateway' }));

    const error = await rejectionOf(client.getLabels(conversation));

    expect(server.requests).toHaveLength(3);
    expect(error).toBeInstanceOf(ChatwootApiError);
    expect(error).toMatchObject({
      kind: 'http',
      status: 502,
      attempt: 3,
      isRetryable: true,
      operation: 'getLabels',
    });
  });

  it.each([
    [400, { error: 'bad request' }],
    [401, { error: 'Invalid Access Token' }],
    [403, { error: 'API access is not enabled for this account' }],
    [404, { error: 'Resource could not be found' }],
    [422, { error: 'Validation failed: Content is too long' }],
  ])('does not retry HTTP %i', async (status, body) => {
    const { client } = buildTestClient({ baseUrl: server.url });
    server.setFallback(() => ({ status, body }));

    const error = await rejectionOf(client.createMessage({ ...conversation, content: 'x' }));

    expect(server.requests).toHaveLength(1);
    expect(error).toMatchObject({ kind: 'http', status, isRetryable: false, attempt: 1 });
    expect((error as ChatwootApiError).body).toContain(body.error);
    expect((error as ChatwootApiError).message).toContain(body.error);
  });
});

describe('Retry-After', () => {
  it('waits what Retry-After says instead of the computed backoff', async () => {
    const test = buildTestClient({ baseUrl: server.url });
    server.enqueue({ status: 429, body: 'slow down', headers: { 'retry-after': '2' } }, created);

    await test.client.createMessage({ ...conversation, content: 'x' });

    expect(test.sleeps).toEqual([2_000]);
  });

  it('stops retrying when Retry-After is longer than the policy allows, and reports it', async () => {
    const test = buildTestClient({ baseUrl: server.url, policy: { maxRetryAfterMs: 1_000 } });
    server.enqueue({ status: 503, body: 'maintenance', headers: { 'retry-after': '120' } });

    const error = await rejectionOf(test.client.getLabels(conversation));

    expect(server.requests).toHaveLength(1);
    expect(error).toMatchObject({ status: 503, isRetryable: true, retryAfterMs: 120_000 });
  });
});

describe('exactly-once: createMessage after an unknown outcome', () => {
  it('does not retry after a timeout (Chatwoot may have stored the message)', async () => {
    const { client } = buildTestClient({ baseUrl: server.url, policy: { timeoutMs: 100 } });
    server.enqueue({ hang: true }, created);

    const error = await rejectionOf(client.createMessage({ ...conversation, content: 'x' }));

    expect(server.requests).toHaveLength(1);
    expect(error).toMatchObject({ kind: 'timeout', isRetryable: true, isOutcomeUnknown: true });
  });

  it('does not retry after the connection drops once the request was sent', async () => {
    const { client } = buildTestClient({ baseUrl: server.url });
    server.enqueue({ drop: true }, created);

    const error = await rejectionOf(client.createMessage({ ...conversation, content: 'x' }));

    expect(server.requests).toHaveLength(1);
    expect(error).toMatchObject({ kind: 'network', isOutcomeUnknown: true });
  });

  it('does not retry a 504 gateway timeout', async () => {
    const { client } = buildTestClient({ baseUrl: server.url });
    server.enqueue({ status: 504, body: 'gateway timeout' }, created);

    const error = await rejectionOf(client.createMessage({ ...conversation, content: 'x' }));

    expect(server.requests).toHaveLength(1);
    expect(error).toMatchObject({ kind: 'http', status: 504, isOutcomeUnknown: true });
  });

  it('retries after a timeout when the caller allows it with retryUnsafe', async () => {
    const { client } = buildTestClient({ baseUrl: server.url, policy: { timeoutMs: 100 } });
    server.enqueue({ hang: true }, created);

    await expect(
      client.createMessage({ ...conversation, content: 'x', retryUnsafe: true }),
    ).resolves.toMatchObject({
      id: 9002,
    });
    expect(server.requests).toHaveLength(2);
  });

  it('retries when the connection is refused, because nothing was sent', async () => {
    let calls = 0;
    const countingFetch: typeof fetch = (input, init) => {
      calls++;
      return fetch(input, init);
    };
    const { client } = buildTestClient({ baseUrl: await reserveClosedPortUrl(), fetch: countingFetch });

    const error = await rejectionOf(client.createMessage({ ...conversation, content: 'x' }));

    expect(calls).toBe(4);
    expect(error).toMatchObject({ kind: 'network', isRetryable: true, isOutcomeUnknown: false, attempt: 4 });
  });

  it('knows a refused connection sent nothing, on the default transport (undici request) as through fetch', async () => {
    const { client } = buildTestClient({ baseUrl: await reserveClosedPortUrl() });

    const error = await rejectionOf(client.createMessage({ ...conversation, content: 'x' }));

    expect(error).toMatchObject({ kind: 'network', isRetryable: true, isOutcomeUnknown: false, attempt: 4 });
  });

  it('keeps the outcome unknown when a retried unsafe attempt timed out earlier', async () => {
    const { client } = buildTestClient({ baseUrl: server.url, policy: { timeoutMs: 100, maxRetries: 1 } });
    server.enqueue({ hang: true }, { status: 500, body: 'boom' });

    const error = await rejectionOf(
      client.createMessage({ ...conversation, content: 'x', retryUnsafe: true }),
    );

    expect(error).toMatchObject({ status: 500, isOutcomeUnknown: true });
  });
});

describe('abort', () => {
  it('stops a request in flight when the caller aborts', async () => {
    const { client } = buildTestClient({ baseUrl: server.url, policy: { timeoutMs: 5_000 } });
    server.enqueue({ hang: true });
    const controller = new AbortController();

    const pending = rejectionOf(
      client.toggleStatus({ ...conversation, status: 'open', signal: controller.signal }),
    );
    await waitFor(() => server.requests.length === 1);
    controller.abort();

    expect(await pending).toMatchObject({ kind: 'aborted', isOutcomeUnknown: true });
    expect(server.requests).toHaveLength(1);
  });

  it('stops during the backoff wait', async () => {
    const test = buildTestClient({
      baseUrl: server.url,
      isRealSleep: true,
      policy: { initialDelayMs: 10_000, maxDelayMs: 10_000 },
    });
    server.setFallback(() => ({ status: 503, body: 'busy' }));
    const controller = new AbortController();

    const startedAt = Date.now();
    const pending = rejectionOf(test.client.getLabels({ ...conversation, signal: controller.signal }));
    // Abort once the first answer is in and the client sleeps before its retry.
    await waitFor(() => test.logs.some((line) => line['msg'] === 'chatwoot call: backing off before retry'));
    controller.abort();

    expect(await pending).toMatchObject({ kind: 'aborted', isOutcomeUnknown: false });
    expect(Date.now() - startedAt).toBeLessThan(2_000);
    expect(server.requests).toHaveLength(1);
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let tries = 0; tries < 200 && !condition(); tries++) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  if (!condition()) throw new Error('condition not met in time');
}
