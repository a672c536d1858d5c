import { sql, type SQL } from 'drizzle-orm';
import { fromDrizzle, fromPglite, PgBoss, type DrizzleTransactionLike, type Job } from 'pg-boss';

import type { DatabaseHandle, Executor } from '../db/database.ts';
import type { Logger } from '../logging/create-logger.ts';
import { QUEUE_DEFINITIONS, type QueueName, type TaskPayloads } from './task-list.ts';

export interface JobQueue {
  readonly boss: PgBoss;
  /**
   * Queues the reply job of each conversation unless one is already queued (`stately` queue: at
   * most one queued and one active job per singleton key; a second insert is skipped by the unique
   * index), in one statement. The trailing debounce does not move the queued job: ingress moves the
   * conversation's `reply_due_at` and the job defers itself when it starts early — one cheap row
   * update per message instead of a pg-boss job update (which rewrites eight indexes). pg-boss's
   * `sendDebounced` is a throttle that drops later sends and must not be used here.
   */
  scheduleReplies(
    replies: ReadonlyArray<{ payload: TaskPayloads['reply']; startAfter: Date }>,
    tx: Executor,
  ): Promise<void>;
  /** Sends many jobs of one queue in one statement, inside `tx`. */
  sendMany<N extends QueueName>(
    name: N,
    payloads: ReadonlyArray<TaskPayloads[N]>,
    tx: Executor,
  ): Promise<void>;
  send<N extends QueueName>(name: N, payload: TaskPayloads[N], tx?: Executor): Promise<void>;
  /** Cancels the queued (not yet active) reply of a conversation. */
  cancelQueuedReply(conversationId: number): Promise<number>;
  isReady(): Promise<boolean>;
  stop(timeoutMs: number): Promise<void>;
}

export function replySingletonKey(conversationId: number): string {
  return `conversation:${conversationId}`;
}

/**
 * SQL: does a reply job wait (queued or waiting for a retry) for the conversation whose row id is
 * `conversationIdColumn`? Read inside the ingress statement that locks the conversation, so that
 * ingress sends a job only when none is waiting. pg-boss's `job` table (partitioned by queue name)
 * and its state order (created < retry < active) are part of its schema, checked by the tests.
 */
export function queuedReplyExistsSql(conversationIdColumn: SQL): SQL {
  return sql`exists (select 1 from ${sql.raw(PGBOSS_SCHEMA)}.job j where j.name = 'reply' and j.state < 'active' and j.singleton_key = 'conversation:' || ${conversationIdColumn})`;
}

/** pg-boss's schema (its default, named so the NOTIFY channel and statements can derive from it). */
export const PGBOSS_SCHEMA = 'pgboss';

/**
 * Starts pg-boss on the same database as everything else (in-process on PGlite, its own pool on a
 * server) and creates the queues. Jobs enqueued with a transaction commit or roll back with it.
 */
export async function createJobQueue(handle: DatabaseHandle, logger: Logger): Promise<JobQueue> {
  // Supervision (failing jobs whose worker died: missed heartbeats, expiry) runs every 10 s
  // instead of pg-boss's 60 s default, so a killed worker's reply is retried within ~20 s.
  // Inserts into `notify` queues still NOTIFY in their transaction; pg-boss's own listener
  // (useListenNotify) only wakes `work()` workers, which this service does not use: the job
  // dispatcher (start-worker.ts) listens itself, and only in processes that run the worker.
  const options = {
    schema: PGBOSS_SCHEMA,
    schedule: false,
    superviseIntervalSeconds: 10,
    monitorIntervalSeconds: 10,
    useListenNotify: false,
  };
  const boss =
    handle.kind === 'pglite'
      ? new PgBoss({ db: fromPglite(handle.pglite), backend: 'pglite', ...options })
      : new PgBoss({
          connectionString: handle.url,
          max: 6,
          application_name: 'chatwoot-agent-queue',
          ...options,
        });
  boss.on('error', (error) => logger.error({ err: error }, 'job queue error'));
  await boss.start();
  for (const [name, definition] of Object.entries(QUEUE_DEFINITIONS)) {
    await boss.createQueue(name, definition);
    // createQueue leaves an existing queue as it was: apply changed options (e.g. a new
    // heartbeatSeconds) to databases created by an earlier version. The policy cannot change.
    const { policy: _policy, ...updatable } = definition;
    await boss.updateQueue(name, updatable);
  }

  const connection = (tx: Executor | undefined) =>
    tx ? { db: fromDrizzle(tx as unknown as DrizzleTransactionLike, sql) } : {};

  return {
    boss,
    async scheduleReplies(replies, tx) {
      await boss.insert(
        'reply',
        replies.map(({ payload, startAfter }) => ({
          data: payload,
          singletonKey: replySingletonKey(payload.conversationId),
          startAfter,
        })),
        connection(tx),
      );
    },
    async sendMany(name, payloads, tx) {
      await boss.insert(
        name,
        payloads.map((data) => ({ data })),
        connection(tx),
      );
    },
    async send(name, payload, tx) {
      await boss.send(name, payload, connection(tx));
    },
    async cancelQueuedReply(conversationId) {
      const jobs: Job<unknown>[] = await boss.findJobs('reply', {
        key: replySingletonKey(conversationId),
        queued: true,
      });
      if (jobs.length > 0)
        await boss.cancel(
          'reply',
          jobs.map((job) => job.id),
        );
      return jobs.length;
    },
    async isReady() {
      try {
        await boss.getQueue('reply');
        return true;
      } catch {
        return false;
      }
    },
    async stop(timeoutMs) {
      await boss.stop({ graceful: true, timeout: Math.max(timeoutMs, 1), close: true });
    },
  };
}
