import type { PgBoss } from 'pg-boss';

import type { Logger } from '../logging/create-logger.ts';
import { createQueueLoop, type QueueSpec } from './create-queue-loop.ts';
import type { SourcedJob } from './job-source.ts';
import type { QueueBoss } from './pg-boss-source.ts';
import { listenForQueueNotifications } from './listen-for-queue-notifications.ts';

export interface JobDispatcher {
  /**
   * Stops fetching at once, waits up to `timeoutMs` for the running jobs to settle, then stops.
   * Jobs still running at the deadline are left to pg-boss supervision (not completed).
   */
  stop(timeoutMs: number): Promise<void>;
}

export interface JobDispatcherDeps {
  readonly boss: QueueBoss & Pick<PgBoss, 'once' | 'off'>;
  readonly logger: Logger;
  /** pg-boss's schema, which names its NOTIFY channel. */
  readonly schema: string;
}

/**
 * Runs the jobs of several queues in place of pg-boss's `work()`: one fetch loop per queue (see
 * create-queue-loop.ts), woken by pg-boss's NOTIFY for that queue, by a job of its own ending
 * while more may be waiting, and by a backstop poll. One listener serves every queue, so a
 * notification wakes exactly one loop once, however many slots it has (no herd of idle loops).
 */
export async function startJobDispatcher(
  deps: JobDispatcherDeps,
  queues: ReadonlyArray<QueueSpec<SourcedJob>>,
): Promise<JobDispatcher> {
  const loops = new Map(queues.map((spec) => [spec.name, createQueueLoop(deps, spec)]));
  for (const loop of loops.values()) loop.wake();
  const notifications = await listenForQueueNotifications(deps, deps.schema, {
    onNotification: (name) => loops.get(name)?.wake(),
    onReconnect: () => {
      for (const loop of loops.values()) loop.wake();
    },
  });
  // The composition stops the dispatcher before the queue; should pg-boss stop first anyway, its
  // connections are gone, and the loops would only log failed fetches.
  const onBossStopped = () => {
    for (const loop of loops.values()) loop.halt();
    void notifications.close();
  };
  deps.boss.once('stopped', onBossStopped);

  let stopped: Promise<void> | undefined;
  return {
    stop(timeoutMs) {
      stopped ??= (async () => {
        deps.boss.off('stopped', onBossStopped);
        const deadline = Date.now() + timeoutMs;
        await Promise.all([notifications.close(), ...[...loops.values()].map((loop) => loop.stop(deadline))]);
      })();
      return stopped;
    },
  };
}
