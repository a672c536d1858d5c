import { sql } from 'drizzle-orm';
import { fromDrizzle, fromPglite, PgBoss, type DrizzleTransactionLike } from 'pg-boss';

import type { DatabaseHandle, Executor } from '../db/database.ts';
import type { Logger } from '../logging/create-logger.ts';
import { QUEUE_DEFINITIONS, type QueueName, type TaskPayloads } from './task-list.ts';

export interface JobQueue {
  readonly boss: PgBoss;
  /** Sends many jobs of one queue in one statement, inside `tx`. */
  sendMany<N extends QueueName>(
    name: N,
    payloads: ReadonlyArray<TaskPayloads[N]>,
    tx: Executor,
  ): Promise<void>;
  send<N extends QueueName>(name: N, payload: TaskPayloads[N], tx?: Executor): Promise<void>;
  isReady(): Promise<boolean>;
  stop(timeoutMs: number): Promise<void>;
}

/** The pg-boss queue replies used before their queue moved to the conversation rows. */
const RETIRED_REPLY_QUEUE = 'reply';

/** pg-boss's schema (its default, named so the NOTIFY channel and statements can derive from it). */
export const PGBOSS_SCHEMA = 'pgboss';

/**
 * Starts pg-boss on the same database as everything else (in-process on PGlite, its own pool on a
 * server) and creates the queues. Jobs enqueued with a transaction commit or roll back with it.
 */
export async function createJobQueue(handle: DatabaseHandle, logger: Logger): Promise<JobQueue> {
  // Supervision (failing jobs whose worker died: missed heartbeats, expiry) runs every 10 s
  // instead of pg-boss's 60 s default, so a killed worker's signal or summary is retried within ~20 s.
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
  // Replies were a pg-boss queue before they moved to the conversation rows (migration 0009 keeps
  // a due time wherever the bot owes an answer); nothing works that queue any more.
  if (await boss.getQueue(RETIRED_REPLY_QUEUE)) await boss.deleteQueue(RETIRED_REPLY_QUEUE);

  const connection = (tx: Executor | undefined) =>
    tx ? { db: fromDrizzle(tx as unknown as DrizzleTransactionLike, sql) } : {};

  return {
    boss,
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
    async isReady() {
      try {
        await boss.getQueue('conversation-signal');
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
