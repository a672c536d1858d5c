import type { JobAttempt, PgBoss } from 'pg-boss';
import * as pgBossPlans from 'pg-boss/dist/plans.js';

import { PGBOSS_SCHEMA } from './job-queue.ts';

/**
 * Fails a job for good, skipping its remaining retries: for a payload that no retry can fix.
 * pg-boss offers this only to `work()` handlers (the perJobResults `deadletter` disposition); a
 * caller that fetches jobs itself gets `fail()`, which retries up to the queue's retryLimit (five
 * noisy retries of a signal job). So this runs the statement that disposition runs, fenced to the
 * fetched attempt like `fail()`. Its internal module is typed (plans.d.ts) and checked by the job
 * dispatcher tests; should a pg-boss release drop it, the job is cancelled instead, which is also
 * terminal and public API. Resolves like the settle calls of pg-boss (`affected`: 0 when the claim
 * had lapsed).
 */
export async function deadLetterJob(
  boss: Pick<PgBoss, 'getQueue' | 'getDb' | 'cancel'>,
  name: string,
  attempt: JobAttempt,
  output: object,
): Promise<{ affected?: unknown }> {
  const statementFor = (pgBossPlans as Partial<typeof pgBossPlans>).deadLetterJobsByIdWithOutputs;
  if (typeof statementFor !== 'function') return boss.cancel(name, attempt);
  const queue = await boss.getQueue(name);
  if (!queue) throw new Error(`queue ${name} does not exist`);
  const { rows } = await boss
    .getDb()
    .executeSql(statementFor(PGBOSS_SCHEMA, queue.table), [
      name,
      JSON.stringify([{ id: attempt.id, retry_count: attempt.retryCount, output }]),
    ]);
  return { affected: Number((rows[0] as { count?: unknown } | undefined)?.count ?? 0) };
}
