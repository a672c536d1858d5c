import type { JobResult } from 'pg-boss';

import { coerceError } from '../errors/coerce-error.ts';
import type { Logger } from '../logging/create-logger.ts';
import type { LogContextStore } from '../logging/log-context.ts';
import type { JobQueue } from './job-queue.ts';
import { TASK_SCHEMAS, type QueueName, type TaskPayloads } from './task-list.ts';

export type TaskHandlers = {
  [N in QueueName]: (payload: TaskPayloads[N], job: { id: string; retryCount: number }) => Promise<void>;
};

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
/** Jobs fetched per poll by one worker loop; they run concurrently and settle one by one. */
const BATCH_SIZE = 10;

export async function startWorker(deps: WorkerDeps, handlers: TaskHandlers): Promise<void> {
  // pg-boss sleeps its polling interval (≥ 0.5 s) after each fetch that is not woken by NOTIFY, so
  // a loop that fetched one job at a time could start at most two jobs a second: each loop fetches
  // a batch, runs its jobs concurrently and settles each job on its own (perJobResults).
  const loops = Math.max(1, Math.ceil(deps.concurrency / BATCH_SIZE));
  const batchSize = Math.min(BATCH_SIZE, deps.concurrency);
  for (const name of Object.keys(TASK_SCHEMAS) as QueueName[]) {
    await deps.queue.boss.work(
      name,
      {
        batchSize,
        localConcurrency: loops,
        pollingIntervalSeconds: 0.5,
        notifyPollingIntervalSeconds: 0.5,
        includeMetadata: true,
        perJobResults: true,
      },
      (jobs) => Promise.all(jobs.map((job) => runJob(deps, handlers, name, job))),
    );
  }
}

async function runJob(
  deps: WorkerDeps,
  handlers: TaskHandlers,
  name: QueueName,
  job: { id: string; data: unknown; retryCount?: number },
): Promise<JobResult> {
  const parsed = TASK_SCHEMAS[name].safeParse(job.data);
  return deps.logContext.run({ jobId: job.id }, async () => {
    if (!parsed.success) {
      deps.logger.error({ queue: name, issues: parsed.error.issues }, 'job payload invalid; dropping');
      return { id: job.id, status: 'deadletter', output: { error: 'invalid payload' } };
    }
    const payload = parsed.data;
    const context = 'conversationId' in payload ? { conversationId: payload.conversationId } : {};
    return deps.logContext.run(context, async (): Promise<JobResult> => {
      try {
        await (handlers[name] as (p: typeof payload, j: { id: string; retryCount: number }) => Promise<void>)(
          payload,
          {
            id: job.id,
            retryCount: job.retryCount ?? 0,
          },
        );
        return { id: job.id, status: 'completed' };
      } catch (thrown) {
        const error = coerceError(thrown);
        deps.logger.warn({ queue: name, err: error }, 'job failed; pg-boss will retry');
        return { id: job.id, status: 'failed', output: { message: error.message } };
      }
    });
  });
}
