import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { queryRows } from '../../src/db/query-rows.ts';
import { recordDeliveryBatch } from '../../src/ingress/record-webhook-delivery.ts';
import { buildTestService, type TestService } from '../setup/build-test-service.ts';
import { plannedDelivery } from '../setup/ingress-test-helpers.ts';
import { loadFixture } from '../setup/signed-delivery.ts';

describe('recording a delivery is atomic', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await buildTestService();
  });
  afterAll(async () => {
    await service.close();
  });

  it('when enqueueing fails after the job row was written, nothing of the delivery is stored', async () => {
    const body = loadFixture('message_created.incoming');
    const queue = service.core.queue;
    const failingQueue = {
      sendMany: queue.sendMany,
      // The real enqueue runs inside the transaction, then the step fails: both must roll back.
      scheduleReplies: async (...args: Parameters<typeof queue.scheduleReplies>) => {
        await queue.scheduleReplies(...args);
        throw new Error('queue unavailable');
      },
    };
    await expect(
      recordDeliveryBatch(
        {
          db: service.core.database.db,
          queue: failingQueue,
          now: () => new Date(),
          replyTiming: () => Promise.resolve({ debounceMs: 0, maxWaitMs: 0 }),
        },
        [plannedDelivery(body, 'atomic-1')],
      ),
    ).rejects.toThrow('queue unavailable');

    const [counts] = await queryRows<Record<string, number>>(
      service.core.database.db,
      sql`select (select count(*)::int from webhook_deliveries) as deliveries,
                 (select count(*)::int from conversations) as conversations,
                 (select count(*)::int from contacts) as contacts,
                 (select count(*)::int from transcript_messages) as messages,
                 (select count(*)::int from pgboss.job) as jobs`,
    );
    expect(counts).toEqual({ deliveries: 0, conversations: 0, contacts: 0, messages: 0, jobs: 0 });
  });

  it('a database failure answers 500 so Chatwoot retries, and stores nothing', async () => {
    const other = await buildTestService();
    await other.core.database.db.execute(
      sql`alter table transcript_messages add constraint always_fail check (false) not valid`,
    );
    try {
      const { signedRequest } = await import('../setup/signed-delivery.ts');
      const { TEST_SECRET } = await import('../setup/build-test-service.ts');
      const request = signedRequest(loadFixture('message_created.incoming'), { secret: TEST_SECRET });
      const response = await other.service.app.inject({
        method: 'POST',
        url: '/webhooks/chatwoot',
        headers: request.headers,
        payload: request.payload,
      });
      expect(response.statusCode).toBe(500);
      expect(response.json()).toEqual({ error: 'internal_error', message: 'Internal error' });
      const [counts] = await queryRows<Record<string, number>>(
        other.core.database.db,
        sql`select (select count(*)::int from webhook_deliveries) as deliveries, (select count(*)::int from pgboss.job) as jobs`,
      );
      expect(counts).toEqual({ deliveries: 0, jobs: 0 });
    } finally {
      await other.close();
    }
  });
});
