import type { JobAttempt, JobWithMetadata, PgBoss } from 'pg-boss';

import { deadLetterJob } from './dead-letter-job.ts';
import type { JobSource, SourcedJob } from './job-source.ts';

export type QueueBoss = Pick<
  PgBoss,
  'fetch' | 'complete' | 'fail' | 'touch' | 'cancel' | 'getQueue' | 'getDb'
>;

/** A pg-boss job as the loop runs it; settles and heartbeats are fenced to the fetched attempt. */
export interface PgBossJob extends SourcedJob {
  /** Earlier attempts of this job (0 on the first). */
  readonly retryCount: number;
  readonly attempt: JobAttempt;
}

/**
 * One pg-boss queue as a job source: `fetch`, `complete`, `fail` and `touch` of pg-boss's public
 * API, fenced to the attempt that was fetched as pg-boss's own worker does.
 */
export function createPgBossSource(boss: QueueBoss, name: string): JobSource<PgBossJob> {
  return {
    async fetch(max) {
      const jobs = await boss.fetch<unknown>(name, { batchSize: max, includeMetadata: true });
      return { jobs: jobs.map(toSourcedJob) };
    },
    async complete(jobs) {
      return affectedOf(
        await boss.complete(
          name,
          jobs.map((job) => job.attempt),
        ),
      );
    },
    async fail(job, output) {
      return affectedOf(await boss.fail(name, job.attempt, output));
    },
    async drop(job, output) {
      return affectedOf(await deadLetterJob(boss, name, job.attempt, output));
    },
    async giveBack(jobs) {
      await boss.fail(
        name,
        jobs.map((job) => job.attempt),
        { message: 'worker stopped before the job started' },
      );
    },
    async touch(jobs) {
      const response = (await boss.touch(
        name,
        jobs.map((job) => job.attempt),
      )) as { settled?: unknown };
      return Array.isArray(response.settled) ? new Set(response.settled.map(String)) : undefined;
    },
  };
}

function toSourcedJob(job: JobWithMetadata<unknown>): PgBossJob {
  return {
    id: job.id,
    data: job.data,
    retryCount: job.retryCount,
    heartbeatMs: (job.heartbeatSeconds ?? 0) * 1_000,
    attempt: { id: job.id, retryCount: job.retryCount },
  };
}

/** pg-boss types its command responses as `{}`; at run time they carry `affected`. */
function affectedOf(response: unknown): number | undefined {
  const affected = (response as { affected?: unknown } | null | undefined)?.affected;
  return affected === undefined ? undefined : Number(affected);
}
