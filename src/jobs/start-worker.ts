import { coerceError } from '../errors/coerce-error.ts';
import type { Logger } from '../logging/create-logger.ts';
import type { LogContextStore } from '../logging/log-context.ts';
import type { JobOutcome, QueueSpec } from './create-queue-loop.ts';
import { REPLY_QUEUE, type ReplyJob } from './create-reply-queue.ts';
import { startJobDispatcher } from './job-dispatcher.ts';
import { PGBOSS_SCHEMA, type JobQueue } from './job-queue.ts';
import type { JobSource } from './job-source.ts';
import { createPgBossSource, type PgBossJob } from './pg-boss-source.ts';
import { TASK_SCHEMAS, type QueueName, type TaskPayloads } from './task-list.ts';

export type TaskHandlers = {
  [N in QueueName]: (payload: TaskPayloads[N], job: { id: string; retryCount: number }) => Promise<void>;
} & {
  /** Answers one claimed burst. */
  readonly [REPLY_QUEUE]: (job: ReplyJob) => Promise<void>;
};

export interface WorkerDeps {
  readonly queue: JobQueue;
  /** The reply queue's source (the conversation rows). */
  readonly replies: JobSource<ReplyJob>;
  readonly logger: Logger;
  readonly logContext: LogContextStore;
  /** Reply jobs this process runs at once (WORKER_CONCURRENCY). */
  readonly concurrency: number;
  /** Backstop poll per queue over QUEUE_POLL_MS (tests lengthen it to see NOTIFY alone wake a worker). */
  readonly pollMs?: Partial<Record<QueueName | typeof REPLY_QUEUE, number>>;
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
    'conversation-signal': Math.min(concurrency, 5),
    'episode-summary': Math.min(concurrency, 2),
    'knowledge-sync': 1,
  };
}

/**
 * Backstop poll per queue. NOTIFY wakes a worker the moment a runnable job is committed (a reply
 * due now, a signal); a reply due later is fetched at its due time (the claim says when the next
 * one is due). The poll finds what neither announces: retries whose start_after was in the future,
 * claims that lapsed (a dead worker), notifications missed while the listener reconnected.
 * Episode summaries and syncs tolerate seconds, and every poll is a query on an idle service.
 */
const REPLY_POLL_MS = 500;
const QUEUE_POLL_MS: Record<QueueName, number> = {
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
  const replies: QueueSpec<ReplyJob> = {
    name: REPLY_QUEUE,
    source: deps.replies,
    slots: deps.concurrency,
    pollMs: deps.pollMs?.[REPLY_QUEUE] ?? REPLY_POLL_MS,
    // A conversation whose run just ended may be due again (messages came during the run).
    fetchOnSettle: true,
    run: (job) => runReplyJob(deps, handlers, job),
  };
  const boss = deps.queue.boss;
  return startJobDispatcher({ boss, logger: deps.logger, schema: PGBOSS_SCHEMA }, [
    replies,
    ...names.map((name): QueueSpec<PgBossJob> => ({
      name,
      source: createPgBossSource(boss, name),
      slots: slots[name],
      pollMs: deps.pollMs?.[name] ?? QUEUE_POLL_MS[name],
      run: (job) => runJob(deps, handlers, name, job),
    })),
  ]);
}

function runReplyJob(deps: WorkerDeps, handlers: TaskHandlers, job: ReplyJob): Promise<JobOutcome> {
  const context = { jobId: job.claim, conversationId: job.data.conversationId };
  return deps.logContext.run(context, async (): Promise<JobOutcome> => {
    try {
      await handlers[REPLY_QUEUE](job);
      return { status: 'completed' };
    } catch (thrown) {
      const error = coerceError(thrown);
      deps.logger.warn(
        { queue: REPLY_QUEUE, attempt: job.attempt, err: error },
        'reply failed; retrying with backoff',
      );
      return { status: 'failed', output: { message: error.message } };
    }
  });
}

async function runJob(
  deps: WorkerDeps,
  handlers: TaskHandlers,
  name: QueueName,
  job: PgBossJob,
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
