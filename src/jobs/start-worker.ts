import type { Job } from 'pg-boss';

import { coerceError } from '../errors/coerce-error.ts';
import type { Logger } from '../logging/create-logger.ts';
import type { LogContextStore } from '../logging/log-context.ts';
import type { JobQueue } from './job-queue.ts';
import { TASK_SCHEMAS, type QueueName, type TaskPayloads } from './task-list.ts';

export type TaskHandlers = { [N in QueueName]: (payload: TaskPayloads[N], job: { id: string; retryCount: number }) => Promise<void> };

export interface WorkerDeps {
  readonly queue: JobQueue;
  readonly logger: Logger;
  readonly logContext: LogContextStore;
  readonly concurrency: number;
}

/**
 * Attaches one handler per queue. Each job's payload is validated with its schema; an invalid
 * payload is logged and failed without retry-worthy noise, a handler error is rethrown so pg-boss
 * retries it with backoff.
 */
export async function startWorker(deps: WorkerDeps, handlers: TaskHandlers): Promise<void> {
  for (const name of Object.keys(TASK_SCHEMAS) as QueueName[]) {
    await deps.queue.boss.work(
      name,
      { batchSize: 1, localConcurrency: deps.concurrency, pollingIntervalSeconds: 0.5, notifyPollingIntervalSeconds: 0.5, includeMetadata: true },
      async ([job]: Job<unknown>[] & { retryCount?: number }[]) => {
        if (!job) return;
        const parsed = TASK_SCHEMAS[name].safeParse(job.data);
        await deps.logContext.run({ jobId: job.id }, async () => {
          if (!parsed.success) {
            deps.logger.error({ queue: name, issues: parsed.error.issues }, 'job payload invalid; dropping');
            return;
          }
          const payload = parsed.data;
          const context = 'conversationId' in payload ? { conversationId: payload.conversationId } : {};
          await deps.logContext.run(context, async () => {
            try {
              await (handlers[name] as (p: typeof payload, j: { id: string; retryCount: number }) => Promise<void>)(payload, {
                id: job.id,
                retryCount: (job as { retryCount?: number }).retryCount ?? 0,
              });
            } catch (error) {
              deps.logger.warn({ queue: name, err: coerceError(error) }, 'job failed; pg-boss will retry');
              throw error;
            }
          });
        });
      },
    );
  }
}
