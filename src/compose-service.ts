import type { Redis } from 'ioredis';

import type { ChatwootClient } from './chatwoot/client/chatwoot-client.ts';
import { connectRateLimitRedis } from './chatwoot/client/connect-rate-limit-redis.ts';
import { createChatwootClient } from './chatwoot/client/create-chatwoot-client.ts';
import { createChatwootRateLimiter } from './chatwoot/client/create-chatwoot-rate-limiter.ts';
import type { CoreDeps } from './compose.ts';
import { AppError } from './errors/app-error.ts';
import type { TaskHandlers } from './jobs/start-worker.ts';
import type { TaskPayloads } from './jobs/task-list.ts';
import type { ChatwootPort } from './pipeline/chatwoot-port.ts';
import { createChatwootPort } from './pipeline/create-chatwoot-port.ts';
import { handleConversationSignal } from './pipeline/handle-conversation-signal.ts';
import { handleReplyJob } from './pipeline/handle-reply-job.ts';
import { DEFAULT_INBOX_POLICY, type InboxPolicyLookup } from './pipeline/inbox-policy.ts';
import {
  DEFAULT_PIPELINE_TIMINGS,
  type PipelineDeps,
  type PipelineTimings,
} from './pipeline/pipeline-deps.ts';
import type { Responder } from './pipeline/responder.ts';
import { createRunRegistry } from './pipeline/run-registry.ts';

export interface PipelineOverrides {
  readonly responder: Responder;
  readonly inboxPolicy?: InboxPolicyLookup;
  readonly fetch?: typeof fetch;
  readonly timings?: Partial<PipelineTimings>;
  readonly clientPolicy?: Parameters<typeof createChatwootClient>[0]['policy'];
  /** Summarises a resolved episode into contact memory; without it the job only logs. */
  readonly summarizeEpisode?: (payload: TaskPayloads['episode-summary']) => Promise<void>;
  /** Re-syncs the knowledge sources that are due; without it the job only logs. */
  readonly syncDueSources?: () => Promise<void>;
}

export interface ComposedPipeline {
  readonly deps: PipelineDeps;
  readonly handlers: TaskHandlers;
  readonly clients: ReadonlyMap<string, ChatwootClient>;
  close(): Promise<void>;
}

/**
 * Wires the reply pipeline: one Chatwoot client per connection sharing one rate limiter (in
 * Redis when `REDIS_URL` is set, so every process shares each account's budget), the responder,
 * the in-process run registry and the job handlers.
 */
export function composePipeline(core: CoreDeps, overrides: PipelineOverrides): ComposedPipeline {
  const { config, logger } = core;
  const redis: Redis | undefined = config.redisUrl
    ? connectRateLimitRedis(config.redisUrl, logger)
    : undefined;
  const limiter = createChatwootRateLimiter({
    perMinute: config.chatwoot.rateLimitPerMinute,
    burst: config.chatwoot.rateLimitBurst,
    maxWaitMs: 120_000,
    ...(redis ? { redis } : {}),
  });
  const clients = new Map<string, ChatwootClient>();
  const ports = new Map<string, ChatwootPort>();
  for (const connection of config.connections) {
    if (!connection.baseUrl || !connection.apiToken) continue;
    const client = createChatwootClient(
      {
        logger,
        limiter,
        ...(overrides.fetch ? { fetch: overrides.fetch } : {}),
        policy: { timeoutMs: config.chatwoot.timeoutMs, ...overrides.clientPolicy },
      },
      connection,
    );
    clients.set(connection.name, client);
    ports.set(connection.name, createChatwootPort(client));
  }
  const deps: PipelineDeps = {
    db: core.database.db,
    chatwoot: (name) => {
      const port = ports.get(name);
      if (!port) {
        throw new AppError('invalid_config', {
          message: `Chatwoot connection "${name}" has no CHATWOOT_BASE_URL / CHATWOOT_API_TOKEN; cannot reply`,
        });
      }
      return port;
    },
    responder: overrides.responder,
    runs: createRunRegistry(),
    inboxPolicy: overrides.inboxPolicy ?? (() => Promise.resolve(DEFAULT_INBOX_POLICY)),
    logger,
    now: core.now,
    timings: {
      ...DEFAULT_PIPELINE_TIMINGS,
      typingDelayMs: core.config.reply.typingDelayMs,
      ...overrides.timings,
    },
  };
  return {
    deps,
    clients,
    handlers: {
      reply: (job) => handleReplyJob(deps, job),
      'conversation-signal': (payload) => handleConversationSignal(deps, payload),
      'episode-summary': async (payload) => {
        if (overrides.summarizeEpisode) await overrides.summarizeEpisode(payload);
        else logger.debug(payload, 'episode resolved; no memory summariser wired');
      },
      'knowledge-sync': async () => {
        if (overrides.syncDueSources) await overrides.syncDueSources();
      },
    },
    close: () => {
      redis?.disconnect();
      return Promise.resolve();
    },
  };
}
