import { Writable } from 'node:stream';

import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { DatabaseHandle } from '../../src/db/database.ts';
import { queryRows } from '../../src/db/query-rows.ts';
import {
  createReplyQueue,
  DEFAULT_REPLY_QUEUE_OPTIONS,
  type ReplyQueueOptions,
} from '../../src/jobs/create-reply-queue.ts';
import { createJobQueue, PGBOSS_SCHEMA, type JobQueue } from '../../src/jobs/job-queue.ts';
import { notifyChannel } from '../../src/jobs/listen-for-queue-notifications.ts';
import {
  startWorker,
  type RunningWorker,
  type TaskHandlers,
  type WorkerDeps,
} from '../../src/jobs/start-worker.ts';
import type { JobSource } from '../../src/jobs/job-source.ts';
import type { QueueName } from '../../src/jobs/task-list.ts';
import { recordDeliveryBatch } from '../../src/ingress/record-delivery-batch.ts';
import type { ReplyJob } from '../../src/jobs/create-reply-queue.ts';
import { createLogger } from '../../src/logging/create-logger.ts';
import { createLogContextStore } from '../../src/logging/log-context.ts';
import { createTestDatabase, isRealServer } from '../setup/test-database.ts';
import { ingressDeps, plannedDelivery } from '../setup/ingress-test-helpers.ts';
import { loadFixture } from '../setup/signed-delivery.ts';

/**
 * The job dispatcher (start-worker.ts) on a real database, running the reply queue (on the
 * conversation rows) and pg-boss's queues: slots per job rather than per batch, wake-up by NOTIFY,
 * due times, retries, heartbeats and a graceful stop.
 */
/** Backstop polls a minute apart: only a NOTIFY, a due-time timer or a settle can wake a worker in time. */
const POLLS_FAR_APART = {
  reply: 60_000,
  'conversation-signal': 60_000,
  'episode-summary': 60_000,
  'knowledge-sync': 60_000,
};

describe('job dispatcher', () => {
  let database: DatabaseHandle;
  let queue: JobQueue;
  let logs: Record<string, unknown>[];
  const workers: RunningWorker[] = [];
  const releases: Array<() => void> = [];
  const extraQueues: JobQueue[] = [];

  beforeEach(async () => {
    logs = [];
    database = await createTestDatabase();
    queue = await createJobQueue(database, logger());
  });

  afterEach(async () => {
    for (const release of releases.splice(0)) release();
    for (const worker of workers.splice(0)) await worker.stop(5_000);
    for (const extra of extraQueues.splice(0)) await extra.stop(1_000);
    await queue.stop(1_000);
    await database.close();
  });

  function logger() {
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        for (const line of chunk.toString('utf8').split('\n')) if (line) logs.push(JSON.parse(line));
        callback();
      },
    });
    return createLogger({ level: 'info', destination });
  }

  async function start(
    handlers: Partial<TaskHandlers>,
    options: Partial<WorkerDeps> & { replyQueue?: Partial<ReplyQueueOptions> } = {},
  ): Promise<RunningWorker> {
    const idle = () => Promise.resolve();
    const worker = await startWorker(
      {
        queue,
        replies: createReplyQueue(
          { db: database.db, now: () => new Date() },
          { ...DEFAULT_REPLY_QUEUE_OPTIONS, ...options.replyQueue },
        ),
        logger: logger(),
        logContext: createLogContextStore(),
        concurrency: 2,
        ...options,
      },
      {
        reply: idle,
        'conversation-signal': idle,
        'episode-summary': idle,
        'knowledge-sync': idle,
        ...handlers,
      },
    );
    workers.push(worker);
    return worker;
  }

  /** A promise the test resolves; released in afterEach at the latest. */
  function gate(): { promise: Promise<void>; open: () => void } {
    let open!: () => void;
    const promise = new Promise<void>((resolve) => (open = resolve));
    releases.push(open);
    return { promise, open };
  }

  /**
   * Makes conversation `key`'s reply due at `dueAt` and NOTIFYs the workers, as ingress does (with
   * `message`, a customer message waits unanswered too: the release keeps a burst due for it).
   */
  async function enqueueReply(key: number, dueAt = new Date(), options: { message?: boolean } = {}) {
    const [row] = await queryRows<{ id: number | string }>(
      database.db,
      sql`with c as (
            insert into conversations (connection, account_id, chatwoot_conversation_id, inbox_id, status, reply_due_at)
            values ('default', 1, ${key}, 1, 'pending', ${dueAt.toISOString()}::timestamptz)
            on conflict (connection, account_id, chatwoot_conversation_id) do update set reply_due_at = excluded.reply_due_at
            returning id
          )
          select id, pg_notify(${notifyChannel(PGBOSS_SCHEMA)}, 'reply') from c`,
    );
    if (options.message) {
      await database.db.execute(
        sql`insert into transcript_messages (conversation_id, chatwoot_message_id, role, content, episode, sent_at)
            values (${row!.id}, ${Date.now()}, 'customer', 'one more thing', 1, now())`,
      );
    }
  }
  const keyOf = (job: ReplyJob) => job.conversation.chatwootConversationId;

  const jobs = (name: QueueName) =>
    queryRows<{ id: string; state: string; retry_count: number; data: unknown; output: unknown }>(
      database.db,
      sql`select id, state, retry_count, data, output from pgboss.job where name = ${name} order by created_on`,
    );
  /** A reply's state as the conversation row holds it. */
  const replyState = async (key: number) =>
    (
      await queryRows<{ state: string }>(
        database.db,
        sql`select case when reply_claim is not null then 'active'
                        when reply_due_at is not null then 'created' else 'completed' end as state
            from conversations where chatwoot_conversation_id = ${key}`,
      )
    )[0]?.state;
  const replyStates = async () =>
    (
      await queryRows<{ state: string }>(
        database.db,
        sql`select case when reply_claim is not null then 'active'
                        when reply_due_at is not null then 'created' else 'completed' end as state
            from conversations order by id`,
      )
    ).map((row) => row.state);

  it('a slow job holds only its own slot: a job enqueued later starts while it still runs', async () => {
    const slow = gate();
    const started: number[] = [];
    const ended: number[] = [];
    await start({
      reply: async (job) => {
        const conversationId = keyOf(job);
        started.push(conversationId);
        if (conversationId === 1) await slow.promise;
        ended.push(conversationId);
      },
    });
    await enqueueReply(1);
    await enqueueReply(2);
    await waitFor(
      async () => ended.includes(2) && (await replyState(2)) === 'completed',
      10_000,
      () => JSON.stringify({ started, ended }),
    );

    // Job 1 still runs and holds one of the two slots; job 2's slot is free again.
    await enqueueReply(3);
    await waitFor(
      () => started.includes(3),
      5_000,
      () => `job 3 did not start while job 1 was running: ${JSON.stringify({ started, ended })}`,
    );
    expect(ended).not.toContain(1);
    expect(await replyState(1)).toBe('active');

    slow.open();
    await waitFor(
      async () => (await replyStates()).every((state) => state === 'completed'),
      10_000,
      async () => JSON.stringify(await replyStates()),
    );
  });

  it('a job enqueued through another connection starts on its NOTIFY, without waiting for a poll', async () => {
    const started = new Map<number, number>();
    // Polls far apart: only the notification can wake the worker in time.
    await start(
      {
        reply: (job) => {
          started.set(keyOf(job), Date.now());
          return Promise.resolve();
        },
      },
      { pollMs: POLLS_FAR_APART },
    );
    await sleep(500);

    // Enqueued through the test's pool: on the real server another connection than the worker's
    // listener, as another process's ingress would; on PGlite the same embedded database.
    for (const conversationId of [11, 12]) {
      await enqueueReply(conversationId);
      const sentAt = Date.now();
      await waitFor(
        () => started.has(conversationId),
        5_000,
        () => `job ${conversationId} did not start`,
      );
      expect(started.get(conversationId)! - sentAt).toBeLessThan(1_000);
      await sleep(200);
    }
  });

  it.runIf(isRealServer())(
    'the listener reconnects when its connection is killed, and NOTIFY wakes the worker again',
    async () => {
      const started = new Map<number, number>();
      await start(
        {
          reply: (job) => {
            started.set(keyOf(job), Date.now());
            return Promise.resolve();
          },
        },
        { pollMs: POLLS_FAR_APART },
      );
      const listeners = sql`select pid from pg_stat_activity
        where datname = current_database() and pid <> pg_backend_pid()
          and (query like 'LISTEN %' or query like '%pg_listening_channels()%')`;
      const listenerPids = async () =>
        (await queryRows<{ pid: number }>(database.db, listeners)).map((row) => row.pid);
      await waitFor(
        async () => (await listenerPids()).length === 1,
        5_000,
        () => 'no listening connection',
      );
      const [killed] = await listenerPids();
      await database.db.execute(sql`select pg_terminate_backend(${killed}::int)`);
      // pg-boss notices the dropped connection, reconnects after 1 s and LISTENs again.
      await waitFor(
        async () => {
          const pids = await listenerPids();
          return pids.length === 1 && pids[0] !== killed;
        },
        10_000,
        () => 'the listener did not reconnect',
      );
      await sleep(300);

      await enqueueReply(61);
      const sentAt = Date.now();
      await waitFor(
        () => started.has(61),
        5_000,
        () => 'job 61 did not start after the reconnect',
      );
      expect(started.get(61)! - sentAt).toBeLessThan(1_000);
    },
  );

  it("a conversation's next reply starts as soon as its current one settles, without waiting for a poll", async () => {
    // One claim per conversation: its next reply cannot start while its current run holds it, and
    // nothing notifies when it can. Polls far apart: only the settle can wake the worker in time.
    const first = gate();
    const runs: Array<{ at: number }> = [];
    await start(
      {
        reply: async (job) => {
          runs.push({ at: Date.now() });
          if (runs.length === 1) await first.promise;
          // The second run answers what waits, as its commit would.
          else
            await database.db.execute(
              sql`update conversations set last_answered_message_id =
                    (select max(chatwoot_message_id) from transcript_messages where conversation_id = ${job.data.conversationId})
                  where id = ${job.data.conversationId}`,
            );
        },
      },
      { pollMs: POLLS_FAR_APART },
    );
    await enqueueReply(7);
    await waitFor(
      () => runs.length === 1,
      5_000,
      () => `runs: ${runs.length}`,
    );
    // A message arrives during the run: the burst is due again, behind the run that holds it.
    await enqueueReply(7, new Date(), { message: true });
    expect(await replyState(7)).toBe('active');
    const openedAt = Date.now();
    first.open();
    await waitFor(
      () => runs.length === 2,
      5_000,
      () => `runs: ${runs.length}`,
    );
    expect(runs[1]!.at - openedAt).toBeLessThan(2_000);
    await waitFor(
      async () => (await replyState(7)) === 'completed',
      5_000,
      async () => `state: ${await replyState(7)}`,
    );
    expect(runs).toHaveLength(2);
  });

  it('an ingress write to a conversation whose burst is due and unclaimed wakes the workers, whatever the delivery', async () => {
    // A claim skips the rows an ingress write holds (SKIP LOCKED). The bot's own echo arriving as
    // its next burst falls due was then the only event on that row, and it notified nobody: the
    // burst waited for the backstop poll. Polls far apart: only the write's NOTIFY can wake the worker.
    // Not due within the test: the worker's start finds nothing to claim.
    const deps = ingressDeps(database.db, queue, { debounceMs: 600_000, maxWaitMs: 600_000 });
    await recordDeliveryBatch(deps, [plannedDelivery(loadFixture('message_created.incoming'), 'wake-1')]);
    const runs: number[] = [];
    await start(
      {
        reply: async (job) => {
          runs.push(keyOf(job));
          // Answers the burst, as the run's commit would.
          await database.db.execute(
            sql`update conversations set last_answered_message_id =
                  (select max(chatwoot_message_id) from transcript_messages where conversation_id = ${job.data.conversationId})
                where id = ${job.data.conversationId}`,
          );
        },
      },
      { pollMs: POLLS_FAR_APART },
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(runs).toEqual([]);
    // The burst falls due without a notification, as when the claim that ran at that moment
    // skipped its locked row; then a delivery that schedules nothing writes the conversation.
    await database.db.execute(
      sql`update conversations set reply_due_at = now() where chatwoot_conversation_id = 57`,
    );
    const bot = loadFixture('message_created.outgoing_bot');
    await recordDeliveryBatch(deps, [plannedDelivery(bot, 'wake-2')]);
    await waitFor(
      () => runs.length === 1,
      5_000,
      () => "the due burst did not start on the echo's write",
    );
    expect(runs).toEqual([57]);
  });

  it('the statement that completes a reply claims the next one into its slot: no fetch in between', async () => {
    const base = createReplyQueue({ db: database.db, now: () => new Date() });
    const events: string[] = [];
    const replies: JobSource<ReplyJob> = {
      ...base,
      fetch: async (max) => {
        const fetched = await base.fetch(max);
        events.push(`fetch:${fetched.jobs.map(keyOf).join(',')}`);
        return fetched;
      },
      completeAndFetch: async (done, max) => {
        const fetched = await base.completeAndFetch!(done, max);
        events.push(`completeAndFetch:${fetched.jobs.map(keyOf).join(',')}`);
        return fetched;
      },
    };
    await enqueueReply(21);
    await enqueueReply(22);
    const runs: number[] = [];
    await start(
      {
        reply: (job) => {
          runs.push(keyOf(job));
          events.push(`run:${keyOf(job)}`);
          return Promise.resolve();
        },
      },
      { replies, concurrency: 1 },
    );
    await waitFor(
      () => runs.length === 2,
      5_000,
      () => `events: ${events.join(' ')}`,
    );
    // One slot: the first fetch claims one conversation; completing its run claims the other.
    const [first, second] = events.filter((event) => event.startsWith('run:'));
    const between = events.slice(events.indexOf(first!) + 1, events.indexOf(second!));
    expect(between.filter((event) => event !== 'fetch:')).toEqual([`completeAndFetch:${runs[1]}`]);
    await waitFor(
      async () => (await replyStates()).every((state) => state === 'completed'),
      5_000,
      async () => `states: ${(await replyStates()).join(',')}`,
    );
  });

  it('when the statement that completes and claims fails, the jobs are completed one by one and the queue goes on', async () => {
    const base = createReplyQueue({ db: database.db, now: () => new Date() });
    let failures = 0;
    const completedAlone: number[] = [];
    const replies: JobSource<ReplyJob> = {
      ...base,
      completeAndFetch: (done, max) => {
        if (failures === 0) {
          failures += 1;
          return Promise.reject(new Error('connection reset'));
        }
        return base.completeAndFetch!(done, max);
      },
      complete: (done) => {
        completedAlone.push(...done.map(keyOf));
        return base.complete(done);
      },
    };
    await enqueueReply(31);
    const runs: number[] = [];
    await start(
      {
        reply: (job) => {
          runs.push(keyOf(job));
          return Promise.resolve();
        },
      },
      { replies, concurrency: 1 },
    );
    await waitFor(
      async () => (await replyState(31)) === 'completed',
      5_000,
      async () => `state: ${await replyState(31)}, runs: ${runs.join(',')}`,
    );
    expect(failures).toBe(1);
    expect(completedAlone).toEqual([31]);
    // The loop still claims: a burst due later is run.
    await enqueueReply(32);
    await waitFor(
      () => runs.includes(32),
      5_000,
      () => `runs: ${runs.join(',')}`,
    );
    expect(runs).toEqual([31, 32]);
  });

  it('every pg-boss queue has a heartbeat and NOTIFY: a job a stopped or dead worker left active is retried within seconds', async () => {
    for (const name of ['conversation-signal', 'episode-summary', 'knowledge-sync'] as const) {
      const definition = await queue.boss.getQueue(name);
      expect({
        name,
        heartbeat: (definition?.heartbeatSeconds ?? 0) > 0,
        notify: definition?.notify,
      }).toEqual({
        name,
        heartbeat: true,
        notify: true,
      });
    }
  });

  it('a reply due in the future starts at its due time, without waiting for a poll', async () => {
    const started = new Map<number, number>();
    // Polls far apart: the worker learns the due time from its claim query and fetches then.
    await start(
      {
        reply: (job) => {
          started.set(keyOf(job), Date.now());
          return Promise.resolve();
        },
      },
      { pollMs: { reply: 60_000 } },
    );
    const dueAt = Date.now() + 1_500;
    await enqueueReply(21, new Date(dueAt));
    await waitFor(
      () => started.has(21),
      10_000,
      () => 'the due reply did not start',
    );
    const delay = started.get(21)! - dueAt;
    expect(delay).toBeGreaterThanOrEqual(-5);
    expect(delay).toBeLessThan(500);
  });

  it('a reply whose run throws is claimed again after its backoff, the attempt counted', async () => {
    const attempts: number[] = [];
    await start(
      {
        reply: (job) => {
          attempts.push(job.attempt);
          return job.attempt === 1 ? Promise.reject(new Error('transient failure')) : Promise.resolve();
        },
      },
      { replyQueue: { retryDelayMs: 300 } },
    );
    const enqueuedAt = Date.now();
    await enqueueReply(25);
    await waitFor(
      async () => attempts.length === 2 && (await replyState(25)) === 'completed',
      10_000,
      () => JSON.stringify(attempts),
    );
    expect(attempts).toEqual([1, 2]);
    expect(Date.now() - enqueuedAt).toBeGreaterThanOrEqual(300);
    expect(logs.some((line) => line.msg === 'reply failed; retrying with backoff')).toBe(true);
  });

  it('a handler that throws fails the job and pg-boss retries it; an invalid payload is failed for good', async () => {
    const calls: Array<{ conversationId: number; retryCount: number }> = [];
    await start({
      'conversation-signal': ({ conversationId }, job) => {
        calls.push({ conversationId, retryCount: job.retryCount });
        if (job.retryCount === 0) return Promise.reject(new Error('transient failure'));
        return Promise.resolve();
      },
    });

    await queue.send('conversation-signal', { conversationId: 31, reason: 'test' });
    await waitFor(
      async () => (await jobs('conversation-signal'))[0]?.state === 'retry',
      10_000,
      async () => JSON.stringify(await jobs('conversation-signal')),
    );
    expect(calls).toEqual([{ conversationId: 31, retryCount: 0 }]);
    await waitFor(
      async () => (await jobs('conversation-signal'))[0]?.state === 'completed',
      15_000,
      async () => JSON.stringify(await jobs('conversation-signal')),
    );
    expect(calls).toEqual([
      { conversationId: 31, retryCount: 0 },
      { conversationId: 31, retryCount: 1 },
    ]);
    expect(logs.some((line) => line.msg === 'job failed; pg-boss will retry')).toBe(true);

    // The queue would retry a failure five times; an invalid payload is failed at once instead.
    await queue.boss.send('conversation-signal', { conversationId: 'not a number' });
    await waitFor(
      async () => (await jobs('conversation-signal'))[1]?.state === 'failed',
      10_000,
      async () => JSON.stringify(await jobs('conversation-signal')),
    );
    await sleep(3_000);
    const [, invalid] = await jobs('conversation-signal');
    expect(invalid).toMatchObject({ state: 'failed', retry_count: 0, output: { error: 'invalid payload' } });
    expect(calls).toHaveLength(2);
    expect(logs.some((line) => line.msg === 'job payload invalid; dropping')).toBe(true);
  });

  it('heartbeats keep a long reply claimed: running for more than twice its lease, nobody else claims it', async () => {
    const leaseMs = 3_000;
    const runMs = leaseMs * 2 + 1_500;
    let runs = 0;
    let ended = false;
    await start(
      {
        reply: async () => {
          runs += 1;
          await sleep(runMs);
          ended = true;
        },
      },
      { replyQueue: { leaseMs } },
    );
    await enqueueReply(41);
    await waitFor(
      () => runs === 1,
      10_000,
      () => 'the reply did not start',
    );
    // Another worker, looking the whole time: the claim never lapses, so it never gets the burst.
    const rival = createReplyQueue(
      { db: database.db, now: () => new Date() },
      { ...DEFAULT_REPLY_QUEUE_OPTIONS, leaseMs },
    );
    while (!ended) {
      const [row] = await queryRows<{ held: boolean }>(
        database.db,
        sql`select reply_lease_until > now() as held from conversations where chatwoot_conversation_id = 41`,
      );
      if (ended) break;
      expect(row).toEqual({ held: true });
      expect((await rival.fetch(10)).jobs).toEqual([]);
      await sleep(200);
    }
    await waitFor(
      async () => (await replyState(41)) === 'completed',
      5_000,
      async () => `state: ${await replyState(41)}`,
    );
    expect(runs).toBe(1);
  });

  it('stop waits for running jobs and starts no new one; a job still running at the deadline is left active', async () => {
    const first = gate();
    const started: number[] = [];
    const ended: number[] = [];
    const worker = await start({
      reply: async (job) => {
        const conversationId = keyOf(job);
        started.push(conversationId);
        if (conversationId === 51) await first.promise;
        ended.push(conversationId);
      },
    });
    await enqueueReply(51);
    await waitFor(
      () => started.includes(51),
      10_000,
      () => 'job 51 did not start',
    );

    const stopStartedAt = Date.now();
    const stopping = worker.stop(20_000);
    await enqueueReply(52);
    await sleep(1_000);
    expect(started).toEqual([51]);
    first.open();
    await stopping;
    expect(Date.now() - stopStartedAt).toBeLessThan(10_000);
    expect(ended).toEqual([51]);
    expect(await replyState(51)).toBe('completed');
    await sleep(1_000);
    expect(started).toEqual([51]);
    expect(await replyState(52)).toBe('created');

    // A second worker takes job 52; it is still running when that worker's deadline passes.
    const second = await start({
      reply: async (job) => {
        const conversationId = keyOf(job);
        started.push(conversationId);
        await new Promise<void>((resolve) => releases.push(resolve));
        ended.push(conversationId);
      },
    });
    await waitFor(
      () => started.includes(52),
      10_000,
      () => 'job 52 did not start',
    );
    const deadlineStopAt = Date.now();
    await second.stop(500);
    expect(Date.now() - deadlineStopAt).toBeLessThan(5_000);
    expect(await replyState(52)).toBe('active');
    // The handler ends after the deadline: its burst stays claimed until the claim lapses, not released.
    for (const release of releases.splice(0)) release();
    await waitFor(
      () => ended.includes(52),
      5_000,
      () => 'job 52 did not end',
    );
    await sleep(500);
    expect(await replyState(52)).toBe('active');
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  describe: () => string | Promise<string>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await sleep(50);
  }
  throw new Error(await describe());
}
