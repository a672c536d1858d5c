import { Writable } from 'node:stream';

import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { DatabaseHandle } from '../../src/db/database.ts';
import { queryRows } from '../../src/db/query-rows.ts';
import { createJobQueue, type JobQueue } from '../../src/jobs/job-queue.ts';
import {
  startWorker,
  type RunningWorker,
  type TaskHandlers,
  type WorkerDeps,
} from '../../src/jobs/start-worker.ts';
import type { QueueName } from '../../src/jobs/task-list.ts';
import { createLogger } from '../../src/logging/create-logger.ts';
import { createLogContextStore } from '../../src/logging/log-context.ts';
import { createTestDatabase, isRealServer } from '../setup/test-database.ts';

/**
 * The job dispatcher that runs pg-boss jobs (start-worker.ts) on a real database: slots per job
 * rather than per batch, wake-up by NOTIFY, pg-boss retries, heartbeats and a graceful stop.
 */
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
    options: Partial<WorkerDeps> = {},
  ): Promise<RunningWorker> {
    const idle = () => Promise.resolve();
    const worker = await startWorker(
      {
        queue,
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

  const enqueueReply = (conversationId: number, startAfter = new Date(), into: JobQueue = queue) =>
    into.scheduleReplies([{ payload: { conversationId }, startAfter }], database.db);

  const jobs = (name: QueueName) =>
    queryRows<{ id: string; state: string; retry_count: number; data: unknown; output: unknown }>(
      database.db,
      sql`select id, state, retry_count, data, output from pgboss.job where name = ${name} order by created_on`,
    );
  const replyState = async (conversationId: number) =>
    (await jobs('reply')).find(
      (job) => (job.data as { conversationId: number }).conversationId === conversationId,
    )?.state;

  it('a slow job holds only its own slot: a job enqueued later starts while it still runs', async () => {
    const slow = gate();
    const started: number[] = [];
    const ended: number[] = [];
    await start({
      reply: async ({ conversationId }) => {
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
      async () => (await jobs('reply')).every((job) => job.state === 'completed'),
      10_000,
      async () => JSON.stringify(await jobs('reply')),
    );
  });

  it('a job enqueued through another connection starts on its NOTIFY, without waiting for a poll', async () => {
    const started = new Map<number, number>();
    // Polls far apart: only the notification can wake the worker in time.
    const polls = {
      reply: 60_000,
      'conversation-signal': 60_000,
      'episode-summary': 60_000,
      'knowledge-sync': 60_000,
    };
    await start(
      {
        reply: ({ conversationId }) => {
          started.set(conversationId, Date.now());
          return Promise.resolve();
        },
      },
      { pollMs: polls },
    );
    // A second pg-boss instance: on the real server its own pool (another connection, as another
    // process would enqueue); on PGlite the same embedded database.
    const other = await createJobQueue(database, logger());
    extraQueues.push(other);
    await sleep(500);

    for (const conversationId of [11, 12]) {
      await enqueueReply(conversationId, new Date(), other);
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
      const polls = {
        reply: 60_000,
        'conversation-signal': 60_000,
        'episode-summary': 60_000,
        'knowledge-sync': 60_000,
      };
      await start(
        {
          reply: ({ conversationId }) => {
            started.set(conversationId, Date.now());
            return Promise.resolve();
          },
        },
        { pollMs: polls },
      );
      const other = await createJobQueue(database, logger());
      extraQueues.push(other);
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

      await enqueueReply(61, new Date(), other);
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
    // `stately`: the next job of a conversation cannot start while its current one is active, and
    // nothing notifies when it can. Polls far apart: only the settle can wake the worker in time.
    const polls = {
      reply: 60_000,
      'conversation-signal': 60_000,
      'episode-summary': 60_000,
      'knowledge-sync': 60_000,
    };
    const first = gate();
    const runs: Array<{ at: number }> = [];
    await start(
      {
        reply: async () => {
          runs.push({ at: Date.now() });
          if (runs.length === 1) await first.promise;
        },
      },
      { pollMs: polls },
    );
    await enqueueReply(7);
    await waitFor(
      () => runs.length === 1,
      5_000,
      () => `runs: ${runs.length}`,
    );
    // A message arrives during the run: the follow-up job is queued behind the active one.
    await enqueueReply(7);
    expect((await jobs('reply')).map((job) => job.state).sort()).toEqual(['active', 'created']);
    const openedAt = Date.now();
    first.open();
    await waitFor(
      () => runs.length === 2,
      5_000,
      () => `runs: ${runs.length}`,
    );
    expect(runs[1]!.at - openedAt).toBeLessThan(2_000);
  });

  it('every queue has a heartbeat and NOTIFY: a job a stopped or dead worker left active is retried within seconds', async () => {
    for (const name of ['reply', 'conversation-signal', 'episode-summary', 'knowledge-sync'] as const) {
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

  it('a reply due in the future starts within the 0.5 s poll of its due time', async () => {
    const started = new Map<number, number>();
    await start({
      reply: ({ conversationId }) => {
        started.set(conversationId, Date.now());
        return Promise.resolve();
      },
    });
    const dueAt = Date.now() + 1_500;
    await enqueueReply(21, new Date(dueAt));
    await waitFor(
      () => started.has(21),
      10_000,
      () => 'the due reply did not start',
    );
    const delay = started.get(21)! - dueAt;
    expect(delay).toBeGreaterThanOrEqual(-50);
    expect(delay).toBeLessThan(1_000);
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

  it('heartbeats keep a long reply alive: running for more than twice its heartbeat, it is not failed', async () => {
    // heartbeatSeconds cannot be set below 10 through pg-boss; a shorter one written into the
    // queued job keeps the test short (the worker refreshes at half the job's own heartbeat).
    const heartbeatSeconds = 3;
    await enqueueReply(41);
    await database.db.execute(
      sql`update pgboss.job set heartbeat_seconds = ${heartbeatSeconds} where name = 'reply'`,
    );
    const runMs = heartbeatSeconds * 2_000 + 1_500;
    let runs = 0;
    let ended = false;
    await start({
      reply: async () => {
        runs += 1;
        await sleep(runMs);
        ended = true;
      },
    });
    await waitFor(
      () => runs === 1,
      10_000,
      () => 'the reply did not start',
    );
    const startedAt = Date.now();
    // The condition pg-boss supervision fails a job on, checked while the job runs.
    let supervised = false;
    while (!ended) {
      const [row] = await queryRows<{ state: string; stale: boolean }>(
        database.db,
        sql`select state, heartbeat_on + heartbeat_seconds * interval '1 second' < now() as stale
            from pgboss.job where name = 'reply'`,
      );
      if (ended) break;
      expect(row).toEqual({ state: 'active', stale: false });
      if (!supervised && Date.now() - startedAt > heartbeatSeconds * 2_000) {
        supervised = true;
        await queue.boss.supervise('reply');
      }
      await sleep(200);
    }
    await waitFor(
      async () => (await jobs('reply'))[0]?.state === 'completed',
      5_000,
      async () => JSON.stringify(await jobs('reply')),
    );
    expect((await jobs('reply'))[0]).toMatchObject({ state: 'completed', retry_count: 0 });
    expect(runs).toBe(1);
  });

  it('stop waits for running jobs and starts no new one; a job still running at the deadline is left active', async () => {
    const first = gate();
    const started: number[] = [];
    const ended: number[] = [];
    const worker = await start({
      reply: async ({ conversationId }) => {
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
      reply: async ({ conversationId }) => {
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
    // The handler ends after the deadline: its job stays for pg-boss supervision, not completed.
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
