import type { JobAttempt, JobWithMetadata, PgBoss } from 'pg-boss';

import { coerceError } from '../errors/coerce-error.ts';
import type { Logger } from '../logging/create-logger.ts';
import { deadLetterJob } from './dead-letter-job.ts';

/** How a job ended; the loop settles it in pg-boss accordingly. */
export type JobOutcome =
  | { readonly status: 'completed' }
  /** Failed: pg-boss retries it with the queue's backoff until retryLimit. */
  | { readonly status: 'failed'; readonly output: object }
  /** Cannot succeed on any retry (invalid payload): failed for good. */
  | { readonly status: 'dropped'; readonly output: object };

export interface QueueSpec {
  readonly name: string;
  /** Jobs of this queue this process runs at once. */
  readonly slots: number;
  /** Backstop poll: finds jobs that became due (start_after, retries) and missed notifications. */
  readonly pollMs: number;
  /**
   * Fetch again whenever a job of this queue settles. For a `stately` queue: a conversation's next
   * job cannot start while its current one is active, and no NOTIFY announces that it can once
   * the current one is settled, so without this it would wait for the backstop poll.
   */
  readonly fetchOnSettle?: boolean;
  /** Runs one job. The loop settles it; a rejection counts as `failed`. */
  readonly run: (job: JobWithMetadata<unknown>) => Promise<JobOutcome>;
}

export type QueueBoss = Pick<
  PgBoss,
  'fetch' | 'complete' | 'fail' | 'touch' | 'cancel' | 'getQueue' | 'getDb'
>;

export interface QueueLoop {
  /** Fetch now if a slot is free (a NOTIFY for this queue, a reconnected listener, the start). */
  wake(): void;
  /**
   * Stops fetching at once and waits for the running jobs to settle until `deadline` (epoch ms).
   * Jobs still running then are left active, neither completed nor failed: pg-boss's supervision
   * retries them once their heartbeat (or expiry) lapses.
   */
  stop(deadline: number): Promise<void>;
  /** Stops at once without waiting (pg-boss itself has stopped). */
  halt(): void;
}

/** Upper bound of the back-off after failed fetches, and between retries of a failed settle. */
const MAX_RETRY_DELAY_MS = 10_000;

interface RunningJob {
  readonly job: JobWithMetadata<unknown>;
  /** Settles and heartbeats are fenced to the attempt that was fetched, as pg-boss's worker does. */
  readonly attempt: JobAttempt;
  /** The handler has returned (its settle may still be pending or retrying). */
  finished: boolean;
  /** A heartbeat found the job no longer active under this claim. */
  claimLost: boolean;
  /** Still running when stop's deadline passed: never settled by this process. */
  abandoned: boolean;
  settleRetry?: NodeJS.Timeout;
}

/**
 * One queue's fetch loop: fetches up to the number of free slots, starts each job at once and
 * settles each one the moment it ends, so a slow job holds its own slot and nothing else (pg-boss's
 * `work()` fetches again only when its whole batch has ended). At most one fetch is in flight;
 * a wake during a fetch is remembered and served right after it.
 */
export function createQueueLoop(
  deps: { readonly boss: QueueBoss; readonly logger: Logger },
  spec: QueueSpec,
): QueueLoop {
  const { boss, logger } = deps;
  const { name } = spec;
  const running = new Map<string, RunningJob>();
  let fetching: Promise<void> | undefined;
  let pollTimer: NodeJS.Timeout | undefined;
  /** A wake arrived while a fetch was in flight. */
  let wokenDuringFetch = false;
  /** Runnable jobs may be waiting: the last fetch filled every free slot, or a wake found none free. */
  let backlog = false;
  let fetchFailures = 0;
  let stopping = false;
  let halted = false;
  let onDrained: (() => void) | undefined;
  let heartbeat: { readonly timer: NodeJS.Timeout; readonly periodMs: number } | undefined;
  let touching = false;
  /** Jobs that completed in this event-loop turn: recorded together in one `complete` call. */
  let completions: RunningJob[] = [];

  const freeSlots = () => spec.slots - running.size;

  function wake(): void {
    if (stopping) return;
    if (fetching) {
      wokenDuringFetch = true;
      return;
    }
    clearTimeout(pollTimer);
    pollTimer = undefined;
    const free = freeSlots();
    // Every slot busy: the next job to end fetches at once instead.
    if (free <= 0) {
      backlog = true;
      return;
    }
    wokenDuringFetch = false;
    fetching = fetchAndStart(free).then((delayMs) => {
      fetching = undefined;
      if (stopping) return;
      if (delayMs === 0) wake();
      else pollTimer = setTimeout(wake, delayMs);
    });
  }

  /** Resolves with the delay before the next fetch; never rejects. */
  async function fetchAndStart(free: number): Promise<number> {
    let jobs: JobWithMetadata<unknown>[];
    try {
      jobs = await boss.fetch<unknown>(name, { batchSize: free, includeMetadata: true });
      fetchFailures = 0;
    } catch (thrown) {
      fetchFailures += 1;
      const delayMs = Math.min(spec.pollMs * 2 ** fetchFailures, MAX_RETRY_DELAY_MS);
      logger.warn({ queue: name, err: coerceError(thrown), retryInMs: delayMs }, 'fetching jobs failed');
      return delayMs;
    }
    if (stopping) {
      await giveBack(jobs);
      return 0;
    }
    for (const job of jobs) start(job);
    backlog = jobs.length >= free || wokenDuringFetch;
    return backlog && freeSlots() > 0 ? 0 : spec.pollMs;
  }

  /** Jobs a fetch claimed after stop began are not started: failed, so pg-boss runs them again. */
  async function giveBack(jobs: JobWithMetadata<unknown>[]): Promise<void> {
    if (jobs.length === 0) return;
    await boss
      .fail(name, jobs.map(attemptOf), { message: 'worker stopped before the job started' })
      .catch((thrown: unknown) =>
        logger.warn(
          { queue: name, err: coerceError(thrown), jobIds: jobs.map((job) => job.id) },
          'could not give back jobs fetched while stopping; pg-boss supervision will retry them',
        ),
      );
  }

  function start(job: JobWithMetadata<unknown>): void {
    const entry: RunningJob = {
      job,
      attempt: attemptOf(job),
      finished: false,
      claimLost: false,
      abandoned: false,
    };
    running.set(job.id, entry);
    refreshHeartbeat();
    void execute(entry);
  }

  async function execute(entry: RunningJob): Promise<void> {
    let outcome: JobOutcome;
    try {
      outcome = await spec.run(entry.job);
    } catch (thrown) {
      outcome = { status: 'failed', output: { message: coerceError(thrown).message } };
    }
    entry.finished = true;
    if (entry.abandoned) {
      logger.warn(
        { queue: name, jobId: entry.job.id, status: outcome.status },
        'job ended after the worker stopped; left to pg-boss supervision',
      );
      return;
    }
    if (outcome.status === 'completed') {
      completions.push(entry);
      if (completions.length === 1) setImmediate(() => void completeBatch());
      return;
    }
    await settle(entry, outcome, 0);
  }

  /**
   * One `complete` for the jobs that completed together: under load several end in the same turn,
   * and a statement each was a query per job. A failed batch falls back to settling one by one.
   */
  async function completeBatch(): Promise<void> {
    const batch = completions;
    completions = [];
    if (batch.length === 1) return settle(batch[0]!, { status: 'completed' }, 0);
    try {
      const response = await boss.complete(
        name,
        batch.map((entry) => entry.attempt),
      );
      const affected = affectedOf(response);
      if (affected !== undefined && affected < batch.length) {
        logger.warn(
          { queue: name, jobIds: batch.map((entry) => entry.job.id), completed: affected },
          'some jobs were no longer active under their attempt when they ended (expired, failed by supervision or cancelled); their outcome is not recorded',
        );
      }
      for (const entry of batch) release(entry, false);
      afterRelease();
    } catch {
      await Promise.all(batch.map((entry) => settle(entry, { status: 'completed' }, 0)));
    }
  }

  async function settle(entry: RunningJob, outcome: JobOutcome, retries: number): Promise<void> {
    try {
      const response = await settleInPgBoss(entry.attempt, outcome);
      if (affectedOf(response) === 0) {
        logger.warn(
          { queue: name, jobId: entry.job.id, status: outcome.status },
          'job was no longer active under this attempt when it ended (expired, failed by supervision or cancelled); its outcome is not recorded',
        );
      }
      release(entry);
    } catch (thrown) {
      if (entry.abandoned) return;
      // The job keeps its slot and its heartbeat until its outcome is recorded.
      const delayMs = Math.min(1_000 * 2 ** retries, MAX_RETRY_DELAY_MS);
      logger.warn(
        {
          queue: name,
          jobId: entry.job.id,
          status: outcome.status,
          err: coerceError(thrown),
          retryInMs: delayMs,
        },
        'settling job failed',
      );
      entry.settleRetry = setTimeout(() => void settle(entry, outcome, retries + 1), delayMs);
    }
  }

  function settleInPgBoss(attempt: JobAttempt, outcome: JobOutcome): Promise<unknown> {
    switch (outcome.status) {
      case 'completed':
        return boss.complete(name, attempt);
      case 'failed':
        return boss.fail(name, attempt, outcome.output);
      case 'dropped':
        return deadLetterJob(boss, name, attempt, outcome.output);
    }
  }

  function release(entry: RunningJob, thenFetch = true): void {
    if (running.get(entry.job.id) !== entry) return;
    running.delete(entry.job.id);
    if (thenFetch) afterRelease();
  }

  function afterRelease(): void {
    refreshHeartbeat();
    if (stopping) {
      if (running.size === 0) onDrained?.();
      return;
    }
    if (backlog || spec.fetchOnSettle) wake();
  }

  /**
   * One timer per queue refreshes every running job that has a heartbeat in one `touch` call, at
   * half the shortest heartbeatSeconds among them: pg-boss's worker refreshes at heartbeatSeconds / 2
   * (heartbeatRefreshSeconds) and supervision fails a job whose refresh is heartbeatSeconds old.
   */
  function refreshHeartbeat(): void {
    let seconds = Infinity;
    for (const entry of running.values()) {
      const jobSeconds = entry.job.heartbeatSeconds ?? 0;
      if (jobSeconds > 0 && !entry.claimLost) seconds = Math.min(seconds, jobSeconds);
    }
    const periodMs = Number.isFinite(seconds) && !halted ? (seconds * 1_000) / 2 : 0;
    if (heartbeat?.periodMs === periodMs) return;
    if (heartbeat) clearInterval(heartbeat.timer);
    heartbeat = periodMs > 0 ? { periodMs, timer: setInterval(() => void touch(), periodMs) } : undefined;
  }

  async function touch(): Promise<void> {
    if (touching) return;
    const held = [...running.values()].filter(
      (entry) => (entry.job.heartbeatSeconds ?? 0) > 0 && !entry.claimLost,
    );
    if (held.length === 0) return;
    touching = true;
    try {
      const response = (await boss.touch(
        name,
        held.map((entry) => entry.attempt),
      )) as { settled?: unknown };
      if (!Array.isArray(response.settled)) return;
      const refreshed = new Set(response.settled.map(String));
      let lost = false;
      for (const entry of held) {
        if (refreshed.has(entry.job.id) || entry.finished || running.get(entry.job.id) !== entry) continue;
        entry.claimLost = true;
        lost = true;
        logger.warn(
          { queue: name, jobId: entry.job.id },
          'running job is no longer active under this attempt (heartbeat missed, expired or cancelled); pg-boss retries it',
        );
      }
      if (lost) refreshHeartbeat();
    } catch (thrown) {
      logger.warn(
        { queue: name, err: coerceError(thrown), jobs: held.length },
        'job heartbeat failed; retrying on the next beat',
      );
    } finally {
      touching = false;
    }
  }

  function halt(): void {
    stopping = true;
    halted = true;
    clearTimeout(pollTimer);
    for (const entry of running.values()) {
      entry.abandoned = true;
      clearTimeout(entry.settleRetry);
    }
    running.clear();
    refreshHeartbeat();
  }

  async function stop(deadline: number): Promise<void> {
    stopping = true;
    clearTimeout(pollTimer);
    // A fetch in flight gives back what it claims (see fetchAndStart).
    if (fetching) await untilDeadline(deadline, fetching);
    if (running.size > 0) {
      await untilDeadline(deadline, new Promise<void>((resolve) => (onDrained = resolve)));
    }
    if (running.size > 0) {
      logger.warn(
        { queue: name, jobIds: [...running.keys()] },
        'jobs still running at the shutdown deadline; left active for pg-boss supervision to retry',
      );
    }
    halt();
  }

  return { wake, stop, halt };
}

function untilDeadline(deadline: number, settled: Promise<void>): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
    void settled.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function attemptOf(job: JobWithMetadata<unknown>): JobAttempt {
  return { id: job.id, retryCount: job.retryCount };
}

/** pg-boss types its command responses as `{}`; at run time they carry `affected`. */
function affectedOf(response: unknown): number | undefined {
  const affected = (response as { affected?: unknown } | null | undefined)?.affected;
  return affected === undefined ? undefined : Number(affected);
}
