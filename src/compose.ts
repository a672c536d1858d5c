import type { Config } from './config/config.ts';
import { createDatabase } from './db/create-database.ts';
import type { DatabaseHandle } from './db/database.ts';
import { migrateDatabase } from './db/migrate-database.ts';
import { warmPool } from './db/warm-pool.ts';
import { queryRows } from './db/query-rows.ts';
import { createLogger, type Logger } from './logging/create-logger.ts';
import { createLogContextStore, type LogContextStore } from './logging/log-context.ts';
import { createJobQueue, type JobQueue } from './jobs/job-queue.ts';
import { createReplyQueue, REPLY_QUEUE_WARM_UP, type ReplyJob } from './jobs/create-reply-queue.ts';
import type { JobSource } from './jobs/job-source.ts';
import { createBurstsArriving, type BurstsArriving } from './ingress/bursts-arriving.ts';
import { sql } from 'drizzle-orm';

/** Everything long-lived the service needs, constructed in one place and closed in reverse order. */
export interface CoreDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly logContext: LogContextStore;
  readonly database: DatabaseHandle;
  /** pg-boss: signals, episode summaries, knowledge syncs. */
  readonly queue: JobQueue;
  /** The reply queue, on the conversation rows. */
  readonly replies: JobSource<ReplyJob>;
  /** Customer messages received and not yet committed: ingress records them, the reply claim defers them. */
  readonly burstsArriving: BurstsArriving;
  readonly now: () => Date;
  close(): Promise<void>;
}

export interface ComposeOptions {
  /** Tests pass an already-migrated database; otherwise one is opened from the config. */
  readonly database?: DatabaseHandle;
  readonly logger?: Logger;
  readonly logContext?: LogContextStore;
  readonly now?: () => Date;
}

/** The composition root for infrastructure: logger, database (migrated), queues. */
export async function composeCore(config: Config, options: ComposeOptions = {}): Promise<CoreDeps> {
  const logContext = options.logContext ?? createLogContextStore();
  const logger =
    options.logger ??
    createLogger({ level: config.log.level, pretty: config.log.pretty, context: logContext });
  const database = options.database ?? (await createDatabase(config.database));
  try {
    await migrateDatabase(database);
    await warmPool(database, REPLY_QUEUE_WARM_UP, (error) =>
      logger.warn(
        { err: error },
        'warming the database pool: a connection or its warm-up failed; starting with the rest',
      ),
    );
    const queue = await createJobQueue(database, logger);
    const now = options.now ?? (() => new Date());
    const burstsArriving = createBurstsArriving();
    return {
      config,
      logger,
      logContext,
      database,
      queue,
      replies: createReplyQueue({ db: database.db, now, arriving: burstsArriving }),
      burstsArriving,
      now,
      close: async () => {
        await queue
          .stop(config.worker.shutdownTimeoutMs)
          .catch((error: unknown) => logger.error({ err: error }, 'queue stop failed'));
        await database.close();
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}

export async function isDatabaseReady(database: DatabaseHandle): Promise<boolean> {
  const rows = await queryRows<{ ok: number }>(database.db, sql`select 1 as ok`);
  return rows[0]?.ok === 1;
}
