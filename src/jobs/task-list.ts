import { z } from 'zod';
import type { Queue } from 'pg-boss';

import { MAX_RESPONDER_RUN_MS } from '../pipeline/responder.ts';

/**
 * The single registry of jobs: queue name → payload schema → queue options. Handlers validate
 * their payload with these schemas and call one pipeline function (see start-worker.ts).
 */
export const TASK_SCHEMAS = {
  /** Answer the unanswered customer messages of a conversation (one run per burst). */
  reply: z.object({ conversationId: z.number().int().positive() }),
  /** Apply the side effects of an ownership change (cancel queued reply, typing off). */
  'conversation-signal': z.object({
    conversationId: z.number().int().positive(),
    reason: z.string(),
    deliveryId: z.number().int().positive().optional(),
  }),
  /** An episode ended (resolved): summarise it into the contact's memory. */
  'episode-summary': z.object({
    conversationId: z.number().int().positive(),
    episode: z.number().int().positive(),
  }),
  /** Re-sync knowledge sources whose schedule is due (sent by every worker once a minute; one runs at a time). */
  'knowledge-sync': z.object({}),
} as const;

export type QueueName = keyof typeof TASK_SCHEMAS;
export type TaskPayloads = { [N in QueueName]: z.infer<(typeof TASK_SCHEMAS)[N]> };

export const QUEUE_DEFINITIONS: Record<QueueName, Omit<Queue, 'name'>> = {
  // stately: at most one queued and one active job per conversation — never two runs at once,
  // and a message arriving during a run schedules exactly one follow-up run.
  // heartbeatSeconds: a worker killed mid-run stops sending heartbeats, so its job is failed and
  // retried within seconds (10 s + the supervision interval in job-queue.ts) instead of after
  // expireInSeconds (11 minutes), which stays as the bound for a live but stuck handler.
  reply: {
    policy: 'stately',
    retryLimit: 8,
    retryDelay: 2,
    retryBackoff: true,
    retryDelayMax: 60,
    // Above the pipeline's bound on a run (MAX_RESPONDER_RUN_MS + 30 s): a live run is never expired.
    expireInSeconds: MAX_RESPONDER_RUN_MS / 1000 + 60,
    heartbeatSeconds: 10,
    notify: true,
  },
  // Every queue has a heartbeat: a job still running when its worker stopped (shutdown deadline)
  // or died is retried within seconds, not after its expiry (an hour for a sync, which, being
  // `exclusive`, would block every other sync meanwhile).
  'conversation-signal': {
    policy: 'standard',
    retryLimit: 5,
    retryDelay: 1,
    retryBackoff: true,
    expireInSeconds: 60,
    heartbeatSeconds: 10,
    notify: true,
  },
  'episode-summary': {
    policy: 'standard',
    retryLimit: 3,
    retryDelay: 30,
    retryBackoff: true,
    expireInSeconds: 300,
    heartbeatSeconds: 10,
    notify: true,
  },
  // exclusive: one queued or active sync at a time across all workers.
  'knowledge-sync': {
    policy: 'exclusive',
    retryLimit: 0,
    expireInSeconds: 3_600,
    heartbeatSeconds: 10,
    notify: true,
  },
};
