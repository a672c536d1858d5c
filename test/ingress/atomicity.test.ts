import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { queryRows } from '../../src/db/query-rows.ts';
import { recordDeliveryBatch } from '../../src/ingress/record-delivery-batch.ts';
import { buildTestService, type TestService } from '../setup/build-test-service.ts';
import { ingressDeps, plannedDelivery } from '../setup/ingress-test-helpers.ts';
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
    const db = service.core.database.db;
    const queue = service.core.queue;
    const deps = ingressDeps(db, queue, { debounceMs: 0, maxWaitMs: 0 });
    // The customer writes: the conversation is the bot's and its reply is due.
    await recordDeliveryBatch(deps, [plannedDelivery(loadFixture('message_created.incoming'), 'atomic-1')]);
    const snapshot = async () =>
      (
        await queryRows<Record<string, unknown>>(
          db,
          sql`select (select count(*)::int from webhook_deliveries) as deliveries,
                     (select count(*)::int from transcript_messages) as messages,
                     (select count(*)::int from ownership_transitions) as transitions,
                     (select count(*)::int from pgboss.job) as jobs,
                     (select json_agg(json_build_object('owner', owner, 'due', reply_due_at is not null)) from conversations) as conversations`,
        )
      )[0];
    const before = await snapshot();
    expect(before).toMatchObject({ deliveries: 1, conversations: [{ owner: 'bot', due: true }] });

    // A human replies: the takeover's signal job is enqueued in the transaction, then the step fails.
    const failingQueue = {
      sendMany: async (...args: Parameters<typeof queue.sendMany>) => {
        await queue.sendMany(...args);
        throw new Error('queue unavailable');
      },
    };
    await expect(
      recordDeliveryBatch({ ...deps, queue: failingQueue }, [
        plannedDelivery(loadFixture('message_created.outgoing_human'), 'atomic-2'),
      ]),
    ).rejects.toThrow('queue unavailable');
    // Neither the delivery, its message, its transition, its job nor the dropped reply happened.
    expect(await snapshot()).toEqual(before);
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
