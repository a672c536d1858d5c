import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Executor } from '../../src/db/database.ts';
import { queryRows } from '../../src/db/query-rows.ts';
import { createReplyQueue } from '../../src/jobs/create-reply-queue.ts';
import { recordDeliveryBatch } from '../../src/ingress/record-delivery-batch.ts';
import type { RecordDeliveryDeps } from '../../src/ingress/record-webhook-delivery.ts';
import { buildTestService, type TestService } from '../setup/build-test-service.ts';
import { customerMessage, ingressDeps, plannedDelivery } from '../setup/ingress-test-helpers.ts';

/**
 * The hot statements (ingress's read, lock and guarded write; the reply queue's claim, settle and
 * heartbeat)
 * find conversations, contacts and sent replies through an index whatever the planner believes of
 * the tables. Their generic plans are made once per connection, often while the tables are small
 * and never analysed; the planner then sized a JSON parameter at 100 rows and chose a hash join over
 * a sequential scan of the whole table, for every batch, as long as the connection lived.
 *
 * Each case runs in one transaction on one connection and counts the sequential scans it made
 * (pg_stat_xact_user_tables), with generic plans as the service's pool makes them.
 */
const CONVERSATIONS = 40;
const BASE_NOW = Date.parse('2036-12-07T12:00:00Z');

function incomingMessage(conversationId: number, messageId: number) {
  return plannedDelivery(
    customerMessage(messageId, conversationId, { id: 90_000 + conversationId }),
    `lookups-${conversationId}-${messageId}`,
    new Date(BASE_NOW),
  );
}

describe('hot statements read their rows by index', () => {
  let service: TestService;
  let deps: RecordDeliveryDeps;
  beforeAll(async () => {
    service = await buildTestService();
    deps = ingressDeps(
      service.core.database.db,
      service.core.queue,
      { debounceMs: 0, maxWaitMs: 0 },
      () => new Date(BASE_NOW),
    );
    for (let id = 1; id <= CONVERSATIONS; id += 1)
      await recordDeliveryBatch(deps, [incomingMessage(id, id * 1_000)]);
  });
  afterAll(async () => {
    await service.close();
  });

  /** Sequential scans per table that `work` caused, in a transaction of its own. */
  async function sequentialScans(work: (tx: Executor) => Promise<unknown>): Promise<Record<string, number>> {
    return service.core.database.db.transaction(async (tx) => {
      // The service's server pool plans every statement generically; PGlite gets the same here.
      await tx.execute(sql`set local plan_cache_mode = force_generic_plan`);
      // The view also holds this connection's counts not yet reported (at most once a second):
      // the difference is this transaction's.
      const before = await scanCounts(tx);
      await work(tx);
      const after = await scanCounts(tx);
      return Object.fromEntries(
        Object.entries(after).map(([table, count]) => [table, count - (before[table] ?? 0)]),
      );
    });
  }

  async function scanCounts(tx: Executor): Promise<Record<string, number>> {
    const rows = await queryRows<{ relname: string; seq_scan: number | string }>(
      tx,
      sql`select relname, seq_scan from pg_stat_xact_user_tables
           where relname in ('conversations', 'contacts', 'outbound_messages')`,
    );
    return Object.fromEntries(rows.map((row) => [row.relname, Number(row.seq_scan)]));
  }

  it('the counter it relies on counts a sequential scan', async () => {
    const scans = await sequentialScans((tx) =>
      tx.execute(sql`select count(*) from conversations where owner_reason like '%'`),
    );
    expect(scans.conversations).toBeGreaterThan(0);
  });

  it('ingress: a batch on known conversations (the unlocked read and the guarded write)', async () => {
    const batch = [3, 9, 17, 25, 33].map((id) => incomingMessage(id, id * 1_000 + 1));
    const scans = await sequentialScans(async (tx) => {
      const results = await recordDeliveryBatch({ ...deps, db: tx }, batch);
      expect(results.map((result) => result.status)).toEqual(Array(5).fill('accepted'));
    });
    expect(scans).toEqual({ conversations: 0, contacts: 0, outbound_messages: 0 });
  });

  it('ingress: a batch that locks its conversations (one of them new)', async () => {
    const batch = [4, 12, 20, CONVERSATIONS + 1].map((id) => incomingMessage(id, id * 1_000 + 2));
    const scans = await sequentialScans(async (tx) => {
      const results = await recordDeliveryBatch({ ...deps, db: tx }, batch);
      expect(results.map((result) => result.status)).toEqual(Array(4).fill('accepted'));
    });
    expect(scans).toEqual({ conversations: 0, contacts: 0, outbound_messages: 0 });
  });

  it('the reply queue: a claim with a deferred burst, and a settle of a sent reply', async () => {
    const deferred = JSON.stringify([{ connection: 'default', account_id: 1, chatwoot_conversation_id: 5 }]);
    const sent = JSON.stringify([
      { id: 1, chatwoot_message_id: 77, sent_at: new Date(BASE_NOW).toISOString() },
    ]);
    const scans = await sequentialScans(async (tx) => {
      await tx.execute(
        sql`select claim_due_replies(2, ${new Date(BASE_NOW + 60_000).toISOString()}::timestamptz,
                                     ${new Date(BASE_NOW + 120_000).toISOString()}::timestamptz, ${deferred}::jsonb)`,
      );
      await tx.execute(
        sql`select settle_reply_claims(array[]::bigint[], array[]::uuid[], null, ${sent}::jsonb, 2,
                                       ${new Date(BASE_NOW + 60_000).toISOString()}::timestamptz,
                                       ${new Date(BASE_NOW + 120_000).toISOString()}::timestamptz, ${deferred}::jsonb)`,
      );
    });
    expect(scans).toEqual({ conversations: 0, contacts: 0, outbound_messages: 0 });
  });

  it('the reply queue: the heartbeat of claimed bursts', async () => {
    const at = new Date(BASE_NOW + 60_000);
    const { jobs } = await createReplyQueue({ db: service.core.database.db, now: () => at }).fetch(3);
    expect(jobs.length).toBe(3);
    const scans = await sequentialScans(async (tx) => {
      const refreshed = await createReplyQueue({ db: tx, now: () => at }).touch?.(jobs);
      expect(refreshed?.size).toBe(3);
    });
    expect(scans).toEqual({ conversations: 0, contacts: 0, outbound_messages: 0 });
  });
});
