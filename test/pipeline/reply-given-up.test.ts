import { Writable } from 'node:stream';

import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { DatabaseHandle } from '../../src/db/database.ts';
import { queryRows } from '../../src/db/query-rows.ts';
import { createOutboxRepository } from '../../src/db/repositories/outbox-repository.ts';
import { createTranscriptRepository } from '../../src/db/repositories/transcript-repository.ts';
import { createReplyQueue } from '../../src/jobs/create-reply-queue.ts';
import { createLogger } from '../../src/logging/create-logger.ts';
import { handleReplyJob, MAX_REPLY_ATTEMPTS } from '../../src/pipeline/handle-reply-job.ts';
import { DEFAULT_INBOX_POLICY } from '../../src/pipeline/inbox-policy.ts';
import { DEFAULT_PIPELINE_TIMINGS, type PipelineDeps } from '../../src/pipeline/pipeline-deps.ts';
import { createRunRegistry } from '../../src/pipeline/run-registry.ts';
import { seedConversation } from '../agent/support/agent-test-deps.ts';
import { createTestDatabase } from '../setup/test-database.ts';

/** A burst whose runs kept failing is given up after MAX_REPLY_ATTEMPTS claims: recorded, no longer due. */
describe('a reply that keeps failing', () => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await createTestDatabase();
  });
  afterAll(async () => {
    await handle.close();
  });

  it(`is recorded as dropped on its claim after the ${MAX_REPLY_ATTEMPTS}th, without running, and is no longer due`, async () => {
    const seeded = await seedConversation(handle.db);
    await createTranscriptRepository(handle.db).insert({
      conversationId: seeded.id,
      chatwootMessageId: 77,
      role: 'customer',
      content: 'anyone there?',
      episode: 1,
      sentAt: new Date(),
    });
    // Every earlier claim of this burst failed.
    await handle.db.execute(
      sql`update conversations set reply_due_at = now() - interval '1 second', reply_attempts = ${MAX_REPLY_ATTEMPTS}
          where id = ${seeded.id}`,
    );
    const queue = createReplyQueue({ db: handle.db, now: () => new Date() });
    const { jobs } = await queue.fetch(10);
    expect(jobs.map((job) => job.attempt)).toEqual([MAX_REPLY_ATTEMPTS + 1]);

    const logs: Array<Record<string, unknown>> = [];
    const never = () => {
      throw new Error('a given-up burst must not run or call Chatwoot');
    };
    const deps: PipelineDeps = {
      db: handle.db,
      chatwoot: never,
      responder: { respond: never },
      runs: createRunRegistry(),
      inboxPolicy: () => Promise.resolve(DEFAULT_INBOX_POLICY),
      logger: createLogger({
        level: 'info',
        destination: new Writable({
          write(chunk: Buffer, _encoding, callback) {
            for (const line of chunk.toString('utf8').split('\n')) if (line) logs.push(JSON.parse(line));
            callback();
          },
        }),
      }),
      now: () => new Date(),
      timings: DEFAULT_PIPELINE_TIMINGS,
    };
    await handleReplyJob(deps, jobs[0]!);
    expect(await queue.complete(jobs)).toBe(1);

    expect(await createOutboxRepository(handle.db).listDecisions(seeded.id)).toMatchObject([
      {
        decision: 'dropped',
        reason: `gave_up_after_${MAX_REPLY_ATTEMPTS}_attempts`,
        answeredMessageIds: [77],
      },
    ]);
    const [row] = await queryRows<{ due: boolean; attempts: number }>(
      handle.db,
      sql`select reply_due_at is not null as due, reply_attempts as attempts from conversations where id = ${seeded.id}`,
    );
    expect(row).toEqual({ due: false, attempts: 0 });
    expect(logs.some((line) => line.level === 'error' && String(line.msg).startsWith('reply given up'))).toBe(
      true,
    );
  });
});
