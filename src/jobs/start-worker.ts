import type { JobWithMetadata } from 'pg-boss';

import { coerceError } from '../errors/coerce-error.ts';
import type { Logger } from '../logging/create-logger.ts';
import type { LogContextStore } from '../logging/log-context.ts';
import type { JobOutcome } from './create-queue-loop.ts';
import { startJobDispatcher } from './job-dispatcher.ts';
import { PGBOSS_SCHEMA, type JobQueue } from './job-queue.ts';
import { QUEUE_DEFINITIONS, TASK_SCHEMAS, type QueueName, type TaskPayloads } from './task-list.ts';

export type TaskHandlers = {
  [N in QueueName]: (payload: TaskPayloads[N], job: { id: string; retryCount: number }) => Promise<void>;
};

export interface WorkerDeps {
  readonly queue: JobQueue;
  readonly logger: Logger;
  readonly logContext: LogContextStore;
  /** Reply jobs this process runs at once (WORKER_CONCURRENCY). */
  readonly concurrency: number;
  /** Backstop poll per queue over QUEUE_POLL_MS (tests lengthen it to see NOTIFY alone wake a worker). */
  readonly pollMs?: Partial<Record<QueueName, number>>;
}

export interface RunningWorker {
  /** Stops fetching, waits up to `timeoutMs` for running jobs; the rest are left to pg-boss supervision. */
  stop(timeoutMs: number): Promise<void>;
}

/**
 * Jobs of each queue one process runs at once. Reply runs (an LLM agent, 1–600 s, mostly waiting
 * on I/O) are the work WORKER_CONCURRENCY sizes. The other queues are short and rare: they get a
 * few slots of their own, so a burst of them never waits behind replies nor crowds them out.
 * Signals (ownership changes) come in bursts when an agent takes over many conversations: 5.
 * Episode summaries make an LLM call each, with no hurry: 2. A knowledge sync is `exclusive`
 * (one at a time across all workers): 1.
 */
function queueSlots(concurrency: number): Record<QueueName, number> {
  return {
    reply: concurrency,
    'conversation-signal': Math.min(concurrency, 5),
    'episode-summary': Math.min(concurrency, 2),
    'knowledge-sync': 1,
  };
}

/**
 * Backstop poll per queue. NOTIFY (reply, conversation-signal) wakes a worker the moment a runnable
 * job is committed; the poll finds what NOTIFY cannot announce: debounced replies and retries whose
 * start_after was in the future (0.5 s, pg-boss's minimum and the reply latency before this
 * dispatcher), notifications missed while the listener reconnected, and the queues without notify.
 * Episode summaries and syncs tolerate seconds, and every poll is a query on an idle service.
 */
const QUEUE_POLL_MS: Record<QueueName, number> = {
  reply: 500,
  'conversation-signal': 500,
  'episode-summary': 2_000,
  'knowledge-sync': 5_000,
};

/**
 * Runs the job handlers: one fetch loop per queue with its own slots (see job-dispatcher.ts).
 * Each job's payload is validated with its schema; an invalid payload is logged and failed for
 * good (no retry can fix it), a handler error fails the job so pg-boss retries it with backoff.
 */
export async function startWorker(deps: WorkerDeps, handlers: TaskHandlers): Promise<RunningWorker> {
  const slots = queueSlots(deps.concurrency);
  const names = Object.keys(TASK_SCHEMAS) as QueueName[];
  return startJobDispatcher(
    { boss: deps.queue.boss, logger: deps.logger, schema: PGBOSS_SCHEMA },
    names.map((name) => ({
      name,
      slots: slots[name],
      pollMs: deps.pollMs?.[name] ?? QUEUE_POLL_MS[name],
      fetchOnSettle: QUEUE_DEFINITIONS[name].policy === 'stately',
      run: (job) => runJob(deps, handlers, name, job),
    })),
  );
}

async function runJob(
  deps: WorkerDeps,
  handlers: TaskHandlers,
  name: QueueName,
  job: JobWithMetadata<unknown>,
): Promise<JobOutcome> {
  const parsed = TASK_SCHEMAS[name].safeParse(job.data);
  return deps.logContext.run({ jobId: job.id }, async () => {
    if (!parsed.success) {
      deps.logger.error({ queue: name, issues: parsed.error.issues }, 'job payload invalid; dropping');
      return { status: 'dropped', output: { error: 'invalid payload' } };
    }
    const payload = parsed.data;
    const context = 'conversationId' in payload ? { conversationId: payload.conversationId } : {};
    return deps.logContext.run(context, async (): Promise<JobOutcome> => {
      try {
        await (handlers[name] as (p: typeof payload, j: { id: string; retryCount: number }) => Promise<void>)(
          payload,
          { id: job.id, retryCount: job.retryCount },
        );
        return { status: 'completed' };
      } catch (thrown) {
        const error = coerceError(thrown);
        deps.logger.warn({ queue: name, err: error }, 'job failed; pg-boss will retry');
        return { status: 'failed', output: { message: error.message } };
      }
    });
  });
}
