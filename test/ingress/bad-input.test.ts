import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { queryRows } from '../../src/db/query-rows.ts';
import { buildTestService, TEST_SECRET, type TestService } from '../setup/build-test-service.ts';
import { loadFixture, signedRequest } from '../setup/signed-delivery.ts';

const now = () => Math.floor(Date.now() / 1000);
const incoming = () => loadFixture('message_created.incoming');

describe('bad input gets the right 4xx and changes nothing', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await buildTestService({ WEBHOOK_MAX_BODY_BYTES: '8192' });
  });
  afterAll(async () => {
    await service.close();
  });

  const cases: Array<[string, () => { headers: Record<string, string>; payload: string }, number]> = [
    [
      'valid signature, tampered body',
      () => {
        const request = signedRequest(incoming(), { secret: TEST_SECRET });
        return { ...request, payload: request.payload.replace('A-1042', 'A-9999') };
      },
      401,
    ],
    ['wrong secret', () => signedRequest(incoming(), { secret: 'not-the-secret' }), 401],
    ['missing signature headers', () => signedRequest(incoming()), 401],
    [
      'missing timestamp header',
      () => {
        const request = signedRequest(incoming(), { secret: TEST_SECRET });
        delete request.headers['x-chatwoot-timestamp'];
        return request;
      },
      401,
    ],
    [
      'stale timestamp (6 minutes old)',
      () => signedRequest(incoming(), { secret: TEST_SECRET, timestamp: now() - 360 }),
      401,
    ],
    [
      'future timestamp (6 minutes ahead)',
      () => signedRequest(incoming(), { secret: TEST_SECRET, timestamp: now() + 360 }),
      401,
    ],
    [
      'malformed signature',
      () => {
        const request = signedRequest(incoming(), { secret: TEST_SECRET });
        request.headers['x-chatwoot-signature'] = 'md5=abc';
        return request;
      },
      401,
    ],
    ['non-JSON body (signed)', () => signedRequest('this is not json', { secret: TEST_SECRET }), 400],
    ['JSON that is not an object', () => signedRequest('[1,2,3]', { secret: TEST_SECRET }), 400],
    [
      'missing event',
      () => {
        const { event: _event, ...rest } = incoming();
        return signedRequest(rest, { secret: TEST_SECRET });
      },
      400,
    ],
    [
      'wrong types (message id is a string)',
      () => signedRequest({ ...incoming(), id: 'nine-thousand' }, { secret: TEST_SECRET }),
      400,
    ],
    [
      'wrong types (conversation status unknown)',
      () => {
        const body = incoming();
        body.conversation.status = 'exploded';
        return signedRequest(body, { secret: TEST_SECRET });
      },
      400,
    ],
    [
      'huge body',
      () => signedRequest({ ...incoming(), content: 'x'.repeat(20_000) }, { secret: TEST_SECRET }),
      413,
    ],
    [
      'wrong content type',
      () => signedRequest(incoming(), { secret: TEST_SECRET, contentType: 'text/plain' }),
      415,
    ],
    [
      'form-encoded body',
      () =>
        signedRequest('event=message_created', {
          secret: TEST_SECRET,
          contentType: 'application/x-www-form-urlencoded',
        }),
      415,
    ],
  ];

  it.each(cases)('%s', async (_name, build, status) => {
    const request = build();
    const response = await service.service.app.inject({
      method: 'POST',
      url: '/webhooks/chatwoot',
      headers: request.headers,
      payload: request.payload,
    });
    expect(response.statusCode).toBe(status);
    if (status === 401)
      expect(response.json()).toEqual({
        error: 'invalid_signature',
        message: 'Invalid or missing webhook signature',
      });
    const [counts] = await queryRows<{ deliveries: number; jobs: number; conversations: number }>(
      service.core.database.db,
      sql`select (select count(*)::int from webhook_deliveries) as deliveries,
                 (select count(*)::int from conversations) as conversations,
                 (select count(*)::int from pgboss.job) as jobs`,
    );
    expect(counts).toEqual({ deliveries: 0, jobs: 0, conversations: 0 });
  });

  it('logs the refusal reason as a warning without the signature', async () => {
    const request = signedRequest(incoming(), { secret: TEST_SECRET, timestamp: now() - 999 });
    await service.service.app.inject({
      method: 'POST',
      url: '/webhooks/chatwoot',
      headers: request.headers,
      payload: request.payload,
    });
    const warning = service.logs.find((line) => line.reason === 'stale_timestamp');
    expect(warning).toMatchObject({ level: 'warn', msg: 'webhook refused: signature check failed' });
    expect(JSON.stringify(service.logs)).not.toContain(request.headers['x-chatwoot-signature']);
  });
});

describe('unsigned deliveries', () => {
  it('are refused when no secret is configured and unsigned mode is off', async () => {
    const service = await buildTestService({ CHATWOOT_WEBHOOK_SECRET: '' });
    try {
      const request = signedRequest(incoming());
      const response = await service.service.app.inject({
        method: 'POST',
        url: '/webhooks/chatwoot',
        headers: request.headers,
        payload: request.payload,
      });
      expect(response.statusCode).toBe(401);
    } finally {
      await service.close();
    }
  });

  it('are accepted (and recorded as unsigned) only when explicitly allowed', async () => {
    const service = await buildTestService({ CHATWOOT_WEBHOOK_SECRET: '', CHATWOOT_ALLOW_UNSIGNED: 'true' });
    try {
      const request = signedRequest(incoming());
      const response = await service.service.app.inject({
        method: 'POST',
        url: '/webhooks/chatwoot',
        headers: request.headers,
        payload: request.payload,
      });
      expect(response.statusCode).toBe(200);
      const rows = await queryRows<{ signed: boolean }>(
        service.core.database.db,
        sql`select signed from webhook_deliveries`,
      );
      expect(rows).toEqual([{ signed: false }]);
      expect(
        service.logs.some(
          (line) => line.level === 'warn' && String(line.msg).includes('unsigned webhooks are accepted'),
        ),
      ).toBe(true);
    } finally {
      await service.close();
    }
  });
});
