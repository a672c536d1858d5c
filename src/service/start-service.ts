import type { FastifyInstance } from 'fastify';

import { isDatabaseReady, type CoreDeps } from '../compose.ts';
import { buildServer } from '../http/build-server.ts';
import { createDeliveryRecorder, type ReplyTiming } from '../ingress/record-webhook-delivery.ts';
import { startWorker, type RunningWorker, type TaskHandlers } from '../jobs/start-worker.ts';
import { createReplyTiming } from '../pipeline/create-reply-timing.ts';
import type { Executor } from '../db/database.ts';

export type ServiceRole = 'web' | 'worker' | 'all';

/** Most webhook deliveries written in one ingress transaction (group commit). */
const INGRESS_MAX_BATCH = 100;
/**
 * Chatwoot's bodies are a few kilobytes, but WEBHOOK_MAX_BODY_BYTES allows up to 50 MB each: a batch
 * stops at this many bytes of bodies, so one statement never carries hundreds of megabytes.
 */
const INGRESS_MAX_BATCH_BYTES = 8 * 1024 * 1024;

export interface ServiceOptions {
  readonly role: ServiceRole;
  readonly handlers: TaskHandlers;
  /** Debounce window of an inbox; defaults to its settings (cached briefly), else the global config. */
  readonly replyTiming?: (connection: string, inboxId: number, tx: Executor) => Promise<ReplyTiming>;
  readonly listen?: boolean;
  /** Adds routes before the app is sealed (benchmarks add a bare HMAC endpoint beside the real one). */
  readonly configureApp?: (app: FastifyInstance) => void;
}

export interface RunningService {
  readonly app: FastifyInstance;
  readonly url: string | null;
  stop(): Promise<void>;
}

/** Builds the HTTP app, starts the worker (role worker/all) and listens. `stop()` drains in order. */
export async function startService(core: CoreDeps, options: ServiceOptions): Promise<RunningService> {
  const { config } = core;
  const replyTiming = options.replyTiming ?? createReplyTiming({ now: core.now }, config.reply);
  const deliveries = createDeliveryRecorder(
    { db: core.database.db, queue: core.queue, now: core.now, replyTiming },
    {
      maxBatchSize: INGRESS_MAX_BATCH,
      maxBatchBytes: INGRESS_MAX_BATCH_BYTES,
      // Each batch in flight holds a connection. A batch is two round trips and a commit's WAL
      // flush, during which the others proceed (bench:ingress: 3 beat 2 by ~5 % and 4 lost).
      // PGlite has a single connection, so a second batch would only wait for it.
      maxConcurrentBatches: core.database.kind === 'pglite' ? 1 : 3,
      onBatchFailure: (error, size) =>
        core.logger.warn({ err: error, size }, 'ingress batch failed; writing its deliveries one by one'),
      burstsArriving: core.burstsArriving,
    },
  );
  const app = buildServer({
    logger: core.logger,
    webhook: {
      connections: options.role === 'worker' ? [] : config.connections,
      maxBodyBytes: config.webhook.maxBodyBytes,
      toleranceSeconds: config.webhook.toleranceSeconds,
      nowSeconds: () => Math.floor(core.now().getTime() / 1000),
      logContext: core.logContext,
      recordDelivery: (input) => deliveries.record(input),
    },
    health: {
      readinessChecks: {
        database: () => isDatabaseReady(core.database),
        queue: () => core.queue.isReady(),
      },
    },
  });
  options.configureApp?.(app);
  let syncTicker: NodeJS.Timeout | undefined;
  let worker: RunningWorker | undefined;
  if (options.role !== 'web') {
    // Every worker proposes a knowledge re-sync check once a minute; the queue is `exclusive`, so
    // one check runs at a time across all processes and only due sources are synced. The first
    // proposal is in before the worker starts, so its first fetch takes it (that queue polls slowly).
    const proposeSync = () => core.queue.send('knowledge-sync', {}).catch(() => undefined);
    await proposeSync();
    worker = await startWorker(
      {
        queue: core.queue,
        replies: core.replies,
        logger: core.logger,
        logContext: core.logContext,
        concurrency: config.worker.concurrency,
      },
      options.handlers,
    );
    syncTicker = setInterval(() => void proposeSync(), 60_000);
    syncTicker.unref();
  }
  let url: string | null = null;
  if (options.listen !== false) {
    url = await app.listen({ host: config.http.host, port: config.http.port });
  } else {
    await app.ready();
  }
  warnAboutRiskySettings(core);
  return {
    app,
    url,
    // The server and the worker drain side by side: the worker stops fetching at once and gives
    // its running jobs until SHUTDOWN_TIMEOUT_MS; jobs still running then are left claimed and run
    // again once their claims lapse. The queue and the database close after this (CoreDeps.close).
    stop: async () => {
      clearInterval(syncTicker);
      await Promise.all([app.close(), worker?.stop(config.worker.shutdownTimeoutMs)]);
    },
  };
}

function warnAboutRiskySettings(core: CoreDeps): void {
  for (const connection of core.config.connections) {
    if (!connection.webhookSecret && connection.allowUnsigned) {
      core.logger.warn(
        { connection: connection.name },
        'unsigned webhooks are accepted for this connection (allowUnsigned): anyone who can reach the endpoint can inject messages. Use only for Chatwoot < 4.13.',
      );
    } else if (!connection.webhookSecret && connection.name === 'default' && connection.apiToken) {
      core.logger.warn(
        { connection: connection.name },
        'CHATWOOT_WEBHOOK_SECRET is not set: every webhook will be refused with 401',
      );
    }
  }
}
