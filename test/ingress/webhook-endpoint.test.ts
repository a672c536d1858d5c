import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { queryRows } from '../../src/db/query-rows.ts';
import { buildTestService, TEST_SECRET, type TestService } from '../setup/build-test-service.ts';
import { clearIngressTables } from '../setup/ingress-test-helpers.ts';
import { loadFixture, signedRequest } from '../setup/signed-delivery.ts';

async function countRows(service: TestService) {
  const [row] = await queryRows<{
    deliveries: number;
    conversations: number;
    contacts: number;
    messages: number;
    repliesDue: number;
    jobs: number;
  }>(
    service.core.database.db,
    sql`select
      (select count(*)::int from webhook_deliveries) as deliveries,
      (select count(*)::int from conversations) as conversations,
      (select count(*)::int from contacts) as contacts,
      (select count(*)::int from transcript_messages) as messages,
      (select count(*)::int from conversations where reply_due_at is not null) as "repliesDue",
      (select count(*)::int from pgboss.job) as jobs`,
  );
  return row!;
}

describe('POST /webhooks/chatwoot', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await buildTestService();
  });
  afterAll(async () => {
    await service.close();
  });
  beforeEach(async () => {
    await clearIngressTables(service.core.database.db);
  });

  const post = (
    request: { headers: Record<string, string>; payload: string | Buffer },
    url = '/webhooks/chatwoot',
  ) =>
    service.service.app.inject({ method: 'POST', url, headers: request.headers, payload: request.payload });

  it('accepts a signed customer message: records delivery, contact, conversation, transcript and a due reply', async () => {
    const response = await post(
      signedRequest(loadFixture('message_created.incoming'), { secret: TEST_SECRET }),
    );
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'accepted', outcome: 'reply_scheduled' });
    expect(await countRows(service)).toEqual({
      deliveries: 1,
      conversations: 1,
      contacts: 1,
      messages: 1,
      repliesDue: 1,
      jobs: 0,
    });
    const [conversation] = await queryRows<{ owner: string; due_in_ms: number }>(
      service.core.database.db,
      sql`select owner, extract(epoch from (reply_due_at - now())) * 1000 as due_in_ms from conversations`,
    );
    // The reply queue is the conversation row: due after the debounce window.
    expect(conversation?.owner).toBe('bot');
    expect(Number(conversation?.due_in_ms)).toBeGreaterThan(0);
  });

  it('acknowledges a repeated delivery id with 200 and stores nothing twice', async () => {
    const request = signedRequest(loadFixture('message_created.incoming'), {
      secret: TEST_SECRET,
      deliveryId: 'd-1',
    });
    expect((await post(request)).statusCode).toBe(200);
    const again = await post(
      signedRequest(loadFixture('message_created.incoming'), { secret: TEST_SECRET, deliveryId: 'd-1' }),
    );
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ status: 'duplicate' });
    expect(await countRows(service)).toMatchObject({ deliveries: 1, messages: 1, repliesDue: 1, jobs: 0 });
  });

  it('dedupes the same Chatwoot message delivered under another delivery id', async () => {
    await post(
      signedRequest(loadFixture('message_created.incoming'), { secret: TEST_SECRET, deliveryId: 'a' }),
    );
    const second = await post(
      signedRequest(loadFixture('message_created.incoming'), { secret: TEST_SECRET, deliveryId: 'b' }),
    );
    expect(second.json()).toEqual({ status: 'duplicate' });
    expect(await countRows(service)).toMatchObject({ deliveries: 1, messages: 1, repliesDue: 1, jobs: 0 });
  });

  it('20 concurrent identical deliveries make one record and one job', async () => {
    const fixture = loadFixture('message_created.incoming');
    const requests = Array.from({ length: 20 }, () =>
      signedRequest(fixture, { secret: TEST_SECRET, deliveryId: 'same-delivery' }),
    );
    const responses = await Promise.all(requests.map((request) => post(request)));
    expect(responses.map((response) => response.statusCode)).toEqual(Array(20).fill(200));
    expect(responses.filter((response) => response.json().status === 'accepted')).toHaveLength(1);
    expect(await countRows(service)).toEqual({
      deliveries: 1,
      conversations: 1,
      contacts: 1,
      messages: 1,
      repliesDue: 1,
      jobs: 0,
    });
  });

  it('records ignored events as ignored and answers 200', async () => {
    const response = await post(signedRequest(loadFixture('webwidget_triggered'), { secret: TEST_SECRET }));
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'accepted', outcome: 'ignored' });
    const rows = await queryRows<{ classification: string; outcome: string }>(
      service.core.database.db,
      sql`select classification, outcome from webhook_deliveries`,
    );
    expect(rows).toEqual([{ classification: 'widget_event', outcome: 'ignored' }]);
    expect(await countRows(service)).toMatchObject({ repliesDue: 0, jobs: 0 });
  });

  it('a human takeover after a customer message queues a signal job and records the transition', async () => {
    await post(signedRequest(loadFixture('message_created.incoming'), { secret: TEST_SECRET }));
    const response = await post(
      signedRequest(loadFixture('message_created.outgoing_human'), { secret: TEST_SECRET }),
    );
    expect(response.json()).toEqual({ status: 'accepted', outcome: 'ownership_changed' });
    const transitions = await queryRows<{ from_owner: string; to_owner: string; reason: string }>(
      service.core.database.db,
      sql`select from_owner, to_owner, reason from ownership_transitions order by id`,
    );
    expect(transitions).toEqual([
      { from_owner: 'none', to_owner: 'bot', reason: 'new_pending_conversation' },
      { from_owner: 'bot', to_owner: 'human', reason: 'human_replied' },
    ]);
    const jobs = await queryRows<{ name: string }>(
      service.core.database.db,
      sql`select name from pgboss.job order by created_on`,
    );
    expect(jobs.map((job) => job.name)).toEqual(['conversation-signal']);
    // The reply the customer's message was waiting for is dropped with the bot's turn.
    expect((await countRows(service)).repliesDue).toBe(0);
  });

  it('a resolved conversation queues the summary of its episode for the contact memory', async () => {
    await post(signedRequest(loadFixture('message_created.incoming'), { secret: TEST_SECRET }));
    const resolved = {
      ...loadFixture('conversation_status_changed'),
      status: 'resolved',
      updated_at: 1_884_281_400,
    };
    expect((await post(signedRequest(resolved, { secret: TEST_SECRET }))).statusCode).toBe(200);
    const jobs = await queryRows<{ name: string; data: { episode: number } }>(
      service.core.database.db,
      sql`select name, data from pgboss.job where name = 'episode-summary'`,
    );
    expect(jobs).toEqual([{ name: 'episode-summary', data: expect.objectContaining({ episode: 1 }) }]);
  });

  it('serves named connections with their own secret and 404s unknown ones', async () => {
    const named = await buildTestService({
      CONNECTIONS: JSON.stringify([
        { name: 'acme', webhookSecret: 'acme-secret-123', apiToken: 't', baseUrl: 'http://127.0.0.1:9' },
      ]),
    });
    try {
      const inject = (request: { headers: Record<string, string>; payload: string }, url: string) =>
        named.service.app.inject({ method: 'POST', url, headers: request.headers, payload: request.payload });
      const fixture = loadFixture('message_created.incoming');
      expect(
        (await inject(signedRequest(fixture, { secret: 'acme-secret-123' }), '/webhooks/chatwoot/acme'))
          .statusCode,
      ).toBe(200);
      expect(
        (await inject(signedRequest(fixture, { secret: TEST_SECRET }), '/webhooks/chatwoot/acme')).statusCode,
      ).toBe(401);
      expect(
        (await inject(signedRequest(fixture, { secret: 'acme-secret-123' }), '/webhooks/chatwoot/nope'))
          .statusCode,
      ).toBe(404);
    } finally {
      await named.close();
    }
  });

  describe('with awkward content', () => {
    it('stores a message containing a NUL character instead of failing (PostgreSQL text cannot hold NUL)', async () => {
      const body = loadFixture('message_created.incoming');
      body.content = 'before\u0000after';
      const response = await post(signedRequest(body, { secret: TEST_SECRET }));
      expect(response.statusCode).toBe(200);
      const rows = await queryRows<{ content: string }>(
        service.core.database.db,
        sql`select content from transcript_messages`,
      );
      expect(rows).toEqual([{ content: 'beforeafter' }]);
    });

    it('stores the body byte for byte as Chatwoot sent it', async () => {
      const body = loadFixture('message_created.incoming');
      body.content = 'Ça coûte 20 € — 日本語 🎉 "quoted" \\ back\\slash';
      const request = signedRequest(body, { secret: TEST_SECRET });
      const response = await post(request);
      expect(response.statusCode).toBe(200);
      const rows = await queryRows<{ payload: string }>(
        service.core.database.db,
        sql`select payload from webhook_deliveries`,
      );
      expect(rows).toEqual([{ payload: request.payload }]);
    });

    it('stores a body with an invalid UTF-8 sequence as decoded (U+FFFD) instead of failing', async () => {
      const text = JSON.stringify({
        ...loadFixture('message_created.incoming'),
        content: 'before-<bad bytes>-after',
      });
      const [head, tail] = text.split('<bad bytes>') as [string, string];
      const raw = Buffer.concat([Buffer.from(head), Buffer.from([0xff, 0xfe]), Buffer.from(tail)]);
      const response = await post(signedRequest(raw, { secret: TEST_SECRET }));
      expect(response.json()).toEqual({ status: 'accepted', outcome: expect.any(String) });
      const rows = await queryRows<{ payload: string; content: string }>(
        service.core.database.db,
        sql`select d.payload, t.content from webhook_deliveries d, transcript_messages t`,
      );
      expect(rows).toEqual([{ payload: raw.toString('utf8'), content: 'before-\ufffd\ufffd-after' }]);
    });
  });
});
