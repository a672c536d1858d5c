import type { EventClassification } from '../chatwoot/classify-webhook-event.ts';
import type { ParsedWebhookEvent } from '../chatwoot/webhook-schemas.ts';
import type { Database, Executor } from '../db/database.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { conversationKeyOf, type ConversationKey } from './conversation-statements.ts';
import { dedupeKeyOf, isTracked } from './decide-delivery-effects.ts';
import type { BurstsArriving } from './bursts-arriving.ts';
import { createGroupCommitter } from './group-commit.ts';
import { recordDeliveryBatch } from './record-delivery-batch.ts';
import { extractWebhookFacts, type WebhookFacts } from './webhook-facts.ts';

export interface ReplyTiming {
  readonly debounceMs: number;
  readonly maxWaitMs: number;
}

export interface RecordDeliveryDeps {
  readonly db: Database;
  readonly queue: Pick<JobQueue, 'sendMany'>;
  readonly now: () => Date;
  /** Debounce window for an inbox (per-inbox settings, or the global default); reads through `tx`. */
  readonly replyTiming: (connection: string, inboxId: number, tx: Executor) => Promise<ReplyTiming>;
}

export interface DeliveryInput {
  readonly connection: string;
  readonly deliveryId: string | null;
  readonly signed: boolean;
  readonly rawBody: Buffer;
  readonly parsed: ParsedWebhookEvent;
  readonly classification: EventClassification;
}

export type DeliveryOutcome = 'reply_scheduled' | 'ownership_changed' | 'recorded' | 'ignored';

export type DeliveryResult =
  | {
      readonly status: 'accepted';
      readonly deliveryRowId: number;
      readonly outcome: DeliveryOutcome;
      readonly conversationId: number | null;
    }
  | { readonly status: 'duplicate' };

export interface DeliveryRecorder {
  /** Records one verified delivery; concurrent calls are written together (group commit). */
  record(input: DeliveryInput): Promise<DeliveryResult>;
}

export interface RecorderOptions {
  readonly maxBatchSize: number;
  /** Most raw-body bytes in one batch (its first delivery is always taken). */
  readonly maxBatchBytes?: number;
  readonly maxConcurrentBatches: number;
  readonly onBatchFailure?: (error: unknown, size: number) => void;
  /** Where customer messages are known as arriving until they are committed (the reply claim defers them). */
  readonly burstsArriving?: BurstsArriving;
}

/**
 * Ingress's write path. Each delivery and everything it implies — contact, conversation,
 * transcript, ownership transition and its job — is written in one transaction: either all of it
 * exists or none of it. Deliveries that arrive together share that transaction (group commit),
 * which is what lets one PostgreSQL keep up with thousands of webhooks a second. Never calls
 * Chatwoot or a model: this runs while Chatwoot waits for its 200.
 */
export function createDeliveryRecorder(deps: RecordDeliveryDeps, options: RecorderOptions): DeliveryRecorder {
  const committer = createGroupCommitter<Planned, DeliveryResult>({
    maxBatchSize: options.maxBatchSize,
    ...(options.maxBatchBytes ? { maxBatchBytes: options.maxBatchBytes } : {}),
    sizeOf: (planned) => planned.input.rawBody.length,
    maxConcurrentBatches: options.maxConcurrentBatches,
    conflictKeys: (planned) => planned.conflictKeys,
    // Deliveries of one conversation that arrive together are written together, decided in order.
    shareable: (key) => key.startsWith(CONVERSATION_KEY_PREFIX),
    writeBatch: (batch) => recordDeliveryBatch(deps, batch),
    ...(options.onBatchFailure ? { onBatchFailure: options.onBatchFailure } : {}),
  });
  return {
    record: (input) => {
      const planned = planDelivery(input, deps.now());
      if (!planned.key || input.classification !== 'customer_message' || !options.burstsArriving)
        return committer.submit(planned);
      const committed = options.burstsArriving.arrive(planned.key);
      return committer.submit(planned).finally(committed);
    },
  };
}

const CONVERSATION_KEY_PREFIX = 'conversation\u0000';

/** A delivery with what ingress derives from it before touching the database. */
export interface Planned {
  readonly input: DeliveryInput;
  readonly facts: WebhookFacts;
  readonly now: Date;
  readonly dedupeKey: string;
  /** Present when the delivery changes a conversation. */
  readonly key: ConversationKey | null;
  readonly conflictKeys: readonly string[];
}

export function planDelivery(input: DeliveryInput, now: Date): Planned {
  const facts = extractWebhookFacts(input.parsed, input.classification, now);
  const dedupeKey = dedupeKeyOf(input, facts);
  const tracked = facts.conversation !== null && facts.accountId !== null && isTracked(input.classification);
  const key = tracked
    ? {
        connection: input.connection,
        accountId: facts.accountId,
        chatwootConversationId: facts.conversation.id,
      }
    : null;
  const conflictKeys = [`dedupe\u0000${input.connection}\u0000${dedupeKey}`];
  if (input.deliveryId) conflictKeys.push(`delivery\u0000${input.connection}\u0000${input.deliveryId}`);
  if (key) conflictKeys.push(`${CONVERSATION_KEY_PREFIX}${conversationKeyOf(key)}`);
  return { input, facts, now, dedupeKey, key, conflictKeys };
}
