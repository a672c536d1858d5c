/**
 * Where a queue loop (create-queue-loop.ts) takes its jobs from and records how they ended: a
 * pg-boss queue (pg-boss-source.ts) or the reply queue on the conversation rows
 * (pipeline/create-reply-queue.ts). Every method resolves with what the store said; a rejection
 * means the store could not be reached, and the loop retries.
 */
export interface SourcedJob {
  /** Unique among the jobs this source has running at once. */
  readonly id: string;
  readonly data: unknown;
  /**
   * The job's heartbeat window: a claim not refreshed for this long lapses and the job runs again
   * elsewhere (a worker that died). The loop refreshes at half of it; 0 = no heartbeat.
   */
  readonly heartbeatMs: number;
}

/**
 * Jobs a fetch claimed. `nextReadyInMs`: how soon the next one becomes runnable, when the source
 * knows (a debounced reply); the loop then fetches at that time instead of its poll.
 */
export interface FetchedJobs<J extends SourcedJob> {
  readonly jobs: readonly J[];
  readonly nextReadyInMs?: number | null;
}

export interface JobSource<J extends SourcedJob> {
  /** Claims up to `max` runnable jobs. */
  fetch(max: number): Promise<FetchedJobs<J>>;
  /** Records jobs that ended well; resolves with how many were still held under their claim. */
  complete(jobs: readonly J[]): Promise<number | undefined>;
  /**
   * `complete`, then `fetch(max)`, in one round trip: the slots the jobs free are refilled by the
   * statement that frees them. Optional; the loop completes and then fetches without it.
   */
  completeAndFetch?(
    jobs: readonly J[],
    max: number,
  ): Promise<FetchedJobs<J> & { readonly completed: number | undefined }>;
  /** Records a failed attempt: the source runs the job again later (with backoff) or gives up. */
  fail(job: J, output: object): Promise<number | undefined>;
  /** Ends a job for good without retrying it (its payload can never succeed). */
  drop(job: J, output: object): Promise<number | undefined>;
  /** Returns jobs claimed while the worker was stopping: they are run again soon, elsewhere. */
  giveBack(jobs: readonly J[]): Promise<void>;
  /** Refreshes the claims of running jobs; resolves with the ids still held (undefined: unknown). */
  touch(jobs: readonly J[]): Promise<ReadonlySet<string> | undefined>;
  /**
   * Lets the source wake its loop when jobs it held back became claimable and nothing else will
   * announce it (the reply queue: a burst it deferred while its message was being committed).
   */
  onClaimable?(wake: () => void): void;
}
