import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { queryRows } from '../../src/db/query-rows.ts';
import { createBurstsArriving } from '../../src/ingress/bursts-arriving.ts';
import { createReplyQueue, DEFAULT_REPLY_QUEUE_OPTIONS } from '../../src/jobs/create-reply-queue.ts';
import { buildTestService, TEST_SECRET, type TestService } from '../setup/build-test-service.ts';
import { clearIngressTables } from '../setup/ingress-test-helpers.ts';
import { loadFixture, signedRequest } from '../setup/signed-delivery.ts';

const DEBOUNCE_MS = 3_000;
const MAX_WAIT_MS = 15_000;

/**
 * The reply queue on the conversation row: ingress moves the burst's due time with every customer
 * message (a trailing window capped by the max wait), and a worker claims the burst only once it is
 * due — all of it at once, however many messages it has.
 */
describe('a burst is due once its trailing window closes, and claimed whole', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await buildTestService({
      REPLY_DEBOUNCE_MS: String(DEBOUNCE_MS),
      REPLY_MAX_WAIT_MS: String(MAX_WAIT_MS),
    });
  });
  afterAll(async () => {
    await service.close();
  });
  beforeEach(async () => {
    await clearIngressTables(service.core.database.db);
  });

  const db = () => service.core.database.db;
  const conversation = async () =>
    (
      await queryRows<{ id: number | string; reply_due_at: Date | null; first_unanswered_at: Date | null }>(
        db(),
        sql`select id, reply_due_at, first_unanswered_at from conversations`,
      )
    ).map((row) => ({
      id: Number(row.id),
      replyDueAt: row.reply_due_at === null ? null : new Date(row.reply_due_at),
    }))[0]!;
  /** The queue as a worker sees it at `at`. */
  const queueAt = (at: Date) => createReplyQueue({ db: db(), now: () => at });

  async function postCustomerMessage(messageId: number): Promise<number> {
    const fixture = loadFixture('message_created.incoming');
    fixture.id = messageId;
    fixture.content = `message ${messageId}`;
    const sentAt = Date.now();
    const response = await service.service.app.inject({
      method: 'POST',
      url: '/webhooks/chatwoot',
      ...signedRequest(fixture, { secret: TEST_SECRET }),
    });
    expect(response.json()).toEqual({ status: 'accepted', outcome: 'reply_scheduled' });
    return sentAt;
  }

  it('moves the due time with each message of a burst, and claims nothing before it', async () => {
    const first = await postCustomerMessage(9001);
    const afterFirst = (await conversation()).replyDueAt!.getTime();
    expect(afterFirst).toBeGreaterThanOrEqual(first + DEBOUNCE_MS - 5);
    await new Promise((resolve) => setTimeout(resolve, 40));
    await postCustomerMessage(9002);
    await new Promise((resolve) => setTimeout(resolve, 40));
    const last = await postCustomerMessage(9003);
    const { replyDueAt } = await conversation();
    expect(replyDueAt!.getTime()).toBeGreaterThanOrEqual(last + DEBOUNCE_MS - 5);
    expect(replyDueAt!.getTime()).toBeGreaterThan(afterFirst + 60);

    const early = await queueAt(new Date(replyDueAt!.getTime() - 2_000)).fetch(10);
    expect(early.jobs).toEqual([]);
    // The worker is told when to look again: when the burst is due.
    expect(early.nextReadyInMs).toBe(2_000);

    const due = await queueAt(replyDueAt!).fetch(10);
    expect(due.jobs).toHaveLength(1);
    expect(due.jobs[0]!.episode.map((message) => message.chatwootMessageId)).toEqual([9001, 9002, 9003]);
  });

  it('never moves the due time past the max wait after the burst began', async () => {
    const first = await postCustomerMessage(9101);
    const { id } = await conversation();
    // The burst began long ago (as if the customer had been typing for MAX_WAIT_MS).
    await db().execute(
      sql`update conversations set first_unanswered_at = ${new Date(first - MAX_WAIT_MS).toISOString()}::timestamptz where id = ${id}`,
    );
    await postCustomerMessage(9102);
    const { replyDueAt } = await conversation();
    expect(replyDueAt!.getTime()).toBeLessThanOrEqual(first + 50);
  });

  it('holds a claimed burst for one run; messages during the run make it due again on release', async () => {
    await postCustomerMessage(9201);
    const { replyDueAt } = await conversation();
    const queue = queueAt(replyDueAt!);
    const [job] = (await queue.fetch(10)).jobs;
    expect(job).toBeDefined();
    // Claimed: a second worker finds nothing, however due it is.
    expect((await queueAt(new Date(replyDueAt!.getTime() + 5_000)).fetch(10)).jobs).toEqual([]);

    await postCustomerMessage(9202);
    expect(await queue.complete([job!])).toBe(1);
    const [next] = (await queueAt(new Date(Date.now() + DEBOUNCE_MS + 1_000)).fetch(10)).jobs;
    expect(next?.episode.map((message) => message.chatwootMessageId)).toEqual([9201, 9202]);
    expect(next?.attempt).toBe(1);
  });

  it('ending a run records its posts and claims what is due in the same round trip: a customer who wrote during the run is answered next, at once', async () => {
    await postCustomerMessage(9601);
    const { id, replyDueAt } = await conversation();
    const [job] = (await queueAt(replyDueAt!).fetch(10)).jobs;
    // The run committed its reply (stored `sending`, as the commit does), answered the burst and
    // posted the reply; the post is recorded when the claim ends.
    const [outbound] = await queryRows<{ id: number | string }>(
      db(),
      sql`insert into outbound_messages (conversation_id, decision_id, episode, sequence, kind, content, echo_id, status, attempts)
          values (${id}, 1, 1, 0, 'reply', 'hello', 'cwa-test-9601', 'sending', 1) returning id`,
    );
    await db().execute(sql`update conversations set last_answered_message_id = 9601 where id = ${id}`);
    const sentAt = new Date(replyDueAt!.getTime() + 10);
    job!.sent.push({ outboxId: Number(outbound!.id), chatwootMessageId: 777, sentAt });
    // The customer wrote again during the run.
    await postCustomerMessage(9602);
    const dueAgain = (await conversation()).replyDueAt!;

    const settled = await queueAt(dueAgain).completeAndFetch!([job!], 10);
    expect(settled.completed).toBe(1);
    expect(settled.jobs).toHaveLength(1);
    const [next] = settled.jobs;
    expect(next!.claim).not.toBe(job!.claim);
    expect(next!.attempt).toBe(1);
    expect(next!.hasUnsettledOutbox).toBe(false);
    expect(next!.episode.map((message) => message.chatwootMessageId)).toEqual([9601, 9602]);
    const [row] = await queryRows<{ status: string; chatwoot_message_id: number | string; sent_at: Date }>(
      db(),
      sql`select status, chatwoot_message_id, sent_at from outbound_messages where id = ${outbound!.id}`,
    );
    expect(row!.status).toBe('sent');
    expect(Number(row!.chatwoot_message_id)).toBe(777);
    expect(new Date(row!.sent_at).getTime()).toBe(sentAt.getTime());
  });

  it('leaves a burst alone while a message of it is still arriving in this process, for at most 2 s', async () => {
    await postCustomerMessage(9701);
    const { replyDueAt } = await conversation();
    const key = { connection: 'default', accountId: 1, chatwootConversationId: 57 };
    const arriving = (at: Date, keys: (typeof key)[]) => {
      const registry = createBurstsArriving();
      for (const each of keys) registry.arrive(each);
      return createReplyQueue({ db: db(), now: () => at, arriving: registry });
    };
    const due = replyDueAt!;
    // Another conversation arriving changes nothing; this one's next message arriving defers it.
    expect((await arriving(due, [{ ...key, chatwootConversationId: 58 }]).fetch(10)).jobs).toHaveLength(1);
    await db().execute(
      sql`update conversations set reply_claim = null, reply_lease_until = null, reply_attempts = 0`,
    );
    expect((await arriving(due, [key]).fetch(10)).jobs).toEqual([]);
    // The statement that ends runs defers it too.
    expect((await arriving(due, [key]).completeAndFetch!([], 10)).jobs).toEqual([]);
    // Once its message is committed, the claim takes the whole burst.
    expect((await arriving(due, []).fetch(10)).jobs).toHaveLength(1);
    await db().execute(
      sql`update conversations set reply_claim = null, reply_lease_until = null, reply_attempts = 0`,
    );
    // A customer who never stops writing is answered all the same, 2 s after the burst was due.
    expect((await arriving(new Date(due.getTime() + 2_001), [key]).fetch(10)).jobs).toHaveLength(1);
  });

  it('wakes its loop when the message of a burst it left alone is committed', async () => {
    await postCustomerMessage(9751);
    const { replyDueAt } = await conversation();
    const registry = createBurstsArriving();
    const queue = createReplyQueue({ db: db(), now: () => replyDueAt!, arriving: registry });
    let wakes = 0;
    queue.onClaimable!(() => (wakes += 1));
    const committed = registry.arrive({ connection: 'default', accountId: 1, chatwootConversationId: 57 });
    expect((await queue.fetch(10)).jobs).toEqual([]);
    expect(wakes).toBe(0);
    committed();
    expect(wakes).toBe(1);
    expect((await queue.fetch(10)).jobs).toHaveLength(1);
  });

  it('the endpoint counts a customer message as arriving from its receipt until its commit', async () => {
    const fixture = loadFixture('message_created.incoming');
    fixture.id = 9801;
    const posted = service.service.app.inject({
      method: 'POST',
      url: '/webhooks/chatwoot',
      ...signedRequest(fixture, { secret: TEST_SECRET }),
    });
    let answered = false;
    void posted.then(() => (answered = true));
    // Sampled at every event-loop turn while the request is in flight.
    const seen = new Set<string>();
    for (let turn = 0; turn < 10_000 && !answered; turn += 1) {
      for (const key of service.core.burstsArriving.conversations()) seen.add(JSON.stringify(key));
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect((await posted).statusCode).toBe(200);
    expect([...seen]).toEqual([
      JSON.stringify({ connection: 'default', accountId: 1, chatwootConversationId: 57 }),
    ]);
    expect(service.core.burstsArriving.conversations()).toEqual([]);
  });

  it('a released burst with nothing left to answer is no longer due', async () => {
    await postCustomerMessage(9301);
    const { id, replyDueAt } = await conversation();
    const queue = queueAt(replyDueAt!);
    const [job] = (await queue.fetch(10)).jobs;
    // The run answered the burst (as commit_reply_decision records it).
    await db().execute(sql`update conversations set last_answered_message_id = 9301 where id = ${id}`);
    await queue.complete([job!]);
    expect((await conversation()).replyDueAt).toBeNull();
  });

  it('a failed run is due again after a backoff, and a lapsed claim is claimed by another worker', async () => {
    await postCustomerMessage(9401);
    const { replyDueAt } = await conversation();
    const at = replyDueAt!;
    const [job] = (await queueAt(at).fetch(10)).jobs;
    await queueAt(at).fail(job!, { message: 'boom' });
    const retryAt = (await conversation()).replyDueAt!;
    expect(retryAt.getTime()).toBe(at.getTime() + DEFAULT_REPLY_QUEUE_OPTIONS.retryDelayMs);

    const [second] = (await queueAt(retryAt).fetch(10)).jobs;
    expect(second?.attempt).toBe(2);
    // Its worker dies: nobody refreshes the claim, which lapses after the lease.
    const lapsed = new Date(retryAt.getTime() + DEFAULT_REPLY_QUEUE_OPTIONS.leaseMs);
    const [third] = (await queueAt(lapsed).fetch(10)).jobs;
    expect(third?.attempt).toBe(3);
    expect(third?.claim).not.toBe(second?.claim);
    // The dead worker's claim is fenced off: its release and its heartbeat change nothing.
    expect(await queueAt(lapsed).complete([second!])).toBe(0);
    expect(await queueAt(lapsed).touch([second!, third!])).toEqual(
      new Set([String(third!.data.conversationId)]),
    );
  });

  it('stops refreshing a claim whose run has lasted longer than any run may, so that the burst is claimed again', async () => {
    await postCustomerMessage(9501);
    const { replyDueAt } = await conversation();
    const at = replyDueAt!;
    const [job] = (await queueAt(at).fetch(10)).jobs;
    const { leaseMs, maxRunMs } = DEFAULT_REPLY_QUEUE_OPTIONS;
    // A live worker refreshes its run's claim…
    const later = new Date(at.getTime() + leaseMs / 2);
    expect(await queueAt(later).touch([job!])).toEqual(new Set([String(job!.data.conversationId)]));
    // …until the run has gone on for longer than maxRunMs: then the claim is left to lapse.
    const hung = new Date(at.getTime() + maxRunMs);
    expect(await queueAt(hung).touch([job!])).toEqual(new Set());
    const [again] = (await queueAt(new Date(hung.getTime() + leaseMs)).fetch(10)).jobs;
    expect(again?.claim).not.toBe(job!.claim);
  });
});
