import { z } from 'zod';
import type { Queue } from 'pg-boss';

/**
 * The single registry of pg-boss jobs: queue name → payload schema → queue options. Handlers
 * validate their payload with these schemas and call one pipeline function (see start-worker.ts).
 * Replies are not among them: their queue lives on the conversation rows (create-reply-queue.ts).
 */
export const TASK_SCHEMAS = {
  /** Apply the side effects of an ownership change (abort a run in flight, drop unsent replies). */
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
