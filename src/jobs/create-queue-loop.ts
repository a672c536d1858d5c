import { coerceError } from '../errors/coerce-error.ts';
import type { Logger } from '../logging/create-logger.ts';
import { createJobHeartbeat, type HeartbeatEntry } from './job-heartbeat.ts';
import type { FetchedJobs, JobSource, SourcedJob } from './job-source.ts';

/** How a job ended; the loop records it in the job's source accordingly. */
export type JobOutcome =
  | { readonly status: 'completed' }
  /** Failed: the source runs it again with backoff, until its retry limit. */
  | { readonly status: 'failed'; readonly output: object }
  /** Cannot succeed on any retry (invalid payload): failed for good. */
  | { readonly status: 'dropped'; readonly output: object };

export interface QueueSpec<J extends SourcedJob = SourcedJob> {
  readonly name: string;
  /** Where the jobs come from and where their outcomes go. */
  readonly source: JobSource<J>;
  /** Jobs of this queue this process runs at once. */
  readonly slots: number;
  /** Backstop poll: finds jobs that became due (start_after, retries) and missed notifications. */
  readonly pollMs: number;
  /**
   * Fetch again whenever a job of this queue settles. For the reply queue: a conversation's next
   * burst cannot be claimed while its current run holds it, and no NOTIFY announces that it can
   * once the run is released, so without this it would wait for the backstop poll.
   */
  readonly fetchOnSettle?: boolean;
  /** Runs one job. The loop settles it; a rejection counts as `failed`. */
  run(job: J): Promise<JobOutcome>;
}

export interface QueueLoop {
  /** Fetch now if a slot is free (a NOTIFY for this queue, a reconnected listener, the start). */
  wake(): void;
  /**
   * Stops fetching at once and waits for the running jobs to settle until `deadline` (epoch ms).
   * Jobs still running then are left claimed, neither completed nor failed: they run again once
   * their claims lapse (heartbeat or expiry).
   */
  stop(deadline: number): Promise<void>;
  /** Stops at once without waiting (the store itself has stopped). */
  halt(): void;
}

/** Upper bound of the back-off after failed fetches, and between retries of a failed settle. */
const MAX_RETRY_DELAY_MS = 10_000;

interface RunningJob<J extends SourcedJob> extends HeartbeatEntry<J> {
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
export function createQueueLoop<J extends SourcedJob>(
  deps: { readonly logger: Logger },
  spec: QueueSpec<J>,
): QueueLoop {
  const { logger } = deps;
  const { name, source } = spec;
  const running = new Map<string, RunningJob<J>>();
  const heartbeat = createJobHeartbeat({ logger, queue: name, source, running });
  let fetching: Promise<void> | undefined;
  let pollTimer: NodeJS.Timeout | undefined;
  /** A wake arrived while a fetch was in flight. */
  let wokenDuringFetch = false;
  /** Runnable jobs may be waiting: the last fetch filled every free slot, or a wake found none free. */
  let backlog = false;
  let fetchFailures = 0;
  let stopping = false;
  let onDrained: (() => void) | undefined;
  /** Jobs that completed in this event-loop turn: recorded together in one `complete` call. */
  let completions: RunningJob<J>[] = [];

  const freeSlots = () => spec.slots - running.size;
  source.onClaimable?.(() => wake());

  function wake(): void {
    if (stopping) return;
    if (fetching) {
      wokenDuringFetch = true;
      return;
    }
    const free = freeSlots();
    // Every slot busy: the next job to end fetches at once instead.
    if (free <= 0) {
      clearTimeout(pollTimer);
      pollTimer = undefined;
      backlog = true;
      return;
    }
    beginFetch(() => fetchAndStart(free));
  }

  /** Runs a fetch (alone: at most one is in flight), then schedules the next one. */
  function beginFetch(attempt: () => Promise<number>): void {
    clearTimeout(pollTimer);
    pollTimer = undefined;
    wokenDuringFetch = false;
    fetching = attempt().then((delayMs) => {
      fetching = undefined;
      if (stopping) return;
      if (delayMs === 0) wake();
      else pollTimer = setTimeout(wake, delayMs);
    });
  }

  /** Resolves with the delay before the next fetch; never rejects. */
  async function fetchAndStart(free: number): Promise<number> {
    let fetched: FetchedJobs<J>;
    try {
      fetched = await source.fetch(free);
      fetchFailures = 0;
    } catch (thrown) {
      fetchFailures += 1;
      const delayMs = Math.min(spec.pollMs * 2 ** fetchFailures, MAX_RETRY_DELAY_MS);
      logger.warn({ queue: name, err: coerceError(thrown), retryInMs: delayMs }, 'fetching jobs failed');
      return delayMs;
    }
    return startFetched(fetched, free);
  }

  /** Starts what a fetch claimed into `free` slots; resolves with the delay before the next fetch. */
  async function startFetched({ jobs, nextReadyInMs }: FetchedJobs<J>, free: number): Promise<number> {
    if (stopping) {
      await giveBack(jobs);
      return 0;
    }
    for (const job of jobs) start(job);
    backlog = jobs.length >= free || wokenDuringFetch;
    if (backlog && freeSlots() > 0) return 0;
    // A job due before the next poll (a debounced reply) is fetched when it is due.
    return nextReadyInMs !== null && nextReadyInMs !== undefined
      ? Math.min(spec.pollMs, Math.max(1, Math.ceil(nextReadyInMs)))
      : spec.pollMs;
  }

  /** Jobs a fetch claimed after stop began are not started: given back, so they run again soon. */
  async function giveBack(jobs: readonly J[]): Promise<void> {
    if (jobs.length === 0) return;
    await source
      .giveBack(jobs)
      .catch((thrown: unknown) =>
        logger.warn(
          { queue: name, err: coerceError(thrown), jobIds: jobs.map((job) => job.id) },
          'could not give back jobs fetched while stopping; their claims lapse and they run again',
        ),
      );
  }

  function start(job: J): void {
    const entry: RunningJob<J> = {
      job,
      finished: false,
      claimLost: false,
      abandoned: false,
    };
    running.set(job.id, entry);
    heartbeat.refresh();
    void execute(entry);
  }

  async function execute(entry: RunningJob<J>): Promise<void> {
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
        'job ended after the worker stopped; its claim lapses and it runs again',
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
   * and a statement each was a query per job. When the source can, the same round trip claims the
   * jobs that take their slots (and no other fetch is in flight: one at a time keeps the slots
   * counted). A failed batch falls back to settling one by one.
   */
  async function completeBatch(): Promise<void> {
    const batch = completions;
    completions = [];
    if (source.completeAndFetch && !fetching && !stopping) {
      beginFetch(() => completeAndFetch(batch));
      return;
    }
    if (batch.length === 1) return settle(batch[0]!, { status: 'completed' }, 0);
    try {
      warnIfNotHeld(batch, await source.complete(batch.map((entry) => entry.job)));
      for (const entry of batch) release(entry, false);
      afterRelease();
    } catch {
      await completeOneByOne(batch);
    }
  }

  /** completeBatch's single round trip; resolves with the delay before the next fetch. */
  async function completeAndFetch(batch: readonly RunningJob<J>[]): Promise<number> {
    const free = freeSlots() + batch.length;
    let result: FetchedJobs<J> & { readonly completed: number | undefined };
    try {
      result = await source.completeAndFetch!(
        batch.map((entry) => entry.job),
        free,
      );
      fetchFailures = 0;
    } catch {
      await completeOneByOne(batch);
      return 0;
    }
    warnIfNotHeld(batch, result.completed);
    for (const entry of batch) release(entry, false);
    heartbeat.refresh();
    if (stopping && running.size === 0) onDrained?.();
    return startFetched(result, free);
  }

  /** A batch whose statement failed: each job settles (and retries) on its own. */
  async function completeOneByOne(batch: readonly RunningJob<J>[]): Promise<void> {
    await Promise.all(batch.map((entry) => settle(entry, { status: 'completed' }, 0)));
  }

  function warnIfNotHeld(batch: readonly RunningJob<J>[], completed: number | undefined): void {
    if (completed === undefined || completed >= batch.length) return;
    logger.warn(
      { queue: name, jobIds: batch.map((entry) => entry.job.id), completed },
      'some jobs were no longer active under their attempt when they ended (expired, failed by supervision or cancelled); their outcome is not recorded',
    );
  }

  async function settle(entry: RunningJob<J>, outcome: JobOutcome, retries: number): Promise<void> {
    try {
      const affected = await settleInSource(entry.job, outcome);
      if (affected === 0) {
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

  function settleInSource(job: J, outcome: JobOutcome): Promise<number | undefined> {
    switch (outcome.status) {
      case 'completed':
        return source.complete([job]);
      case 'failed':
        return source.fail(job, outcome.output);
      case 'dropped':
        return source.drop(job, outcome.output);
    }
  }

  function release(entry: RunningJob<J>, thenFetch = true): void {
    if (running.get(entry.job.id) !== entry) return;
    running.delete(entry.job.id);
    if (thenFetch) afterRelease();
  }

  function afterRelease(): void {
    heartbeat.refresh();
    if (stopping) {
      if (running.size === 0) onDrained?.();
      return;
    }
    if (backlog || spec.fetchOnSettle) wake();
  }

  function halt(): void {
    stopping = true;
    clearTimeout(pollTimer);
    for (const entry of running.values()) {
      entry.abandoned = true;
      clearTimeout(entry.settleRetry);
    }
    running.clear();
    heartbeat.halt();
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
        'jobs still running at the shutdown deadline; left claimed, they run again once their claims lapse',
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
