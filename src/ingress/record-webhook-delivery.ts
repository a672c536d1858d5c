import type { EventClassification } from '../chatwoot/classify-webhook-event.ts';
import type { ParsedWebhookEvent } from '../chatwoot/webhook-schemas.ts';
import type { Database, Executor } from '../db/database.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import type { TaskPayloads } from '../jobs/task-list.ts';
import { upsertContacts } from './contact-statements.ts';
import {
  conversationKeyOf,
  insertConversations,
  lockConversations,
  readConversations,
  type ConversationKey,
} from './conversation-statements.ts';
import { writeDeliveryEffects } from './write-delivery-effects.ts';
import { contactNeedsWrite, contactRowsOf, storedContactIds } from './contact-effects.ts';
import {
  decideEffects,
  dedupeKeyOf,
  isTracked,
  newConversationOf,
  untrackedEffects,
  type Decided,
} from './decide-delivery-effects.ts';
import { createGroupCommitter } from './group-commit.ts';
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
  readonly maxConcurrentBatches: number;
  readonly onBatchFailure?: (error: unknown, size: number) => void;
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
    maxConcurrentBatches: options.maxConcurrentBatches,
    conflictKeys: (planned) => planned.conflictKeys,
    writeBatch: (batch) => recordDeliveryBatch(deps, batch),
    ...(options.onBatchFailure ? { onBatchFailure: options.onBatchFailure } : {}),
  });
  return {
    record: (input) => committer.submit(planDelivery(input, deps.now())),
  };
}

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
  if (key) conflictKeys.push(`conversation\u0000${conversationKeyOf(key)}`);
  return { input, facts, now, dedupeKey, key, conflictKeys };
}

/**
 * Writes a batch. No two deliveries of the batch share a conversation or a dedupe key (the group
 * committer guarantees it), so each conversation is decided once, exactly as if its deliveries
 * were written one transaction at a time.
 *
 * Most batches are decided on an unlocked read and written by one guarded statement (two round
 * trips, the conversation rows locked for that one statement). Deliveries whose conversation
 * changed in between (a reply's commit, another process) are decided again under the lock, as are
 * whole batches that create conversations or contacts or enqueue jobs (recordUnderLocks).
 */
export async function recordDeliveryBatch(
  deps: RecordDeliveryDeps,
  batch: readonly Planned[],
): Promise<DeliveryResult[]> {
  const optimistic = await recordWithoutLocks(deps, batch);
  if (!optimistic) return recordUnderLocks(deps, batch);
  const stale = batch.filter((_, index) => optimistic[index] === 'stale');
  if (stale.length === 0) return optimistic as DeliveryResult[];
  const again = await recordUnderLocks(deps, stale);
  let next = 0;
  return optimistic.map((result) => (result === 'stale' ? again[next++]! : result));
}

/**
 * The optimistic path: null when the batch needs more than the guarded write (a conversation or a
 * contact to create or update, a job to enqueue); otherwise each delivery's result, or 'stale'.
 */
async function recordWithoutLocks(
  deps: RecordDeliveryDeps,
  batch: readonly Planned[],
): Promise<Array<DeliveryResult | 'stale'> | null> {
  const tracked = batch.filter((planned) => planned.key !== null);
  const known = await readConversations(
    deps.db,
    tracked.map((planned) => planned.key!),
  );
  if (
    tracked.some(
      (planned) => !known.has(conversationKeyOf(planned.key!)) || contactNeedsWrite(planned, known),
    )
  )
    return null;
  const contactIds = storedContactIds(tracked, known);
  const read = batch.map((planned) => (planned.key ? known.get(conversationKeyOf(planned.key))! : null));
  const decided = await Promise.all(
    batch.map((planned, index) =>
      read[index]
        ? decideEffects(deps, deps.db, planned, read[index], null, contactIds)
        : Promise.resolve(untrackedEffects(planned)),
    ),
  );
  if (decided.some(enqueuesJobs)) return null;
  const written = await writeDeliveryEffects(
    deps.db,
    decided.map((entry, index) => ({
      ...entry.effects,
      expectedFingerprint: read[index]?.fingerprint ?? null,
    })),
    { notifyWorkers: wakesWorkers(batch, decided) },
  );
  return decided.map((entry, index) => {
    const result = written[index] ?? null;
    return result === 'stale' ? 'stale' : resultOf(entry, result);
  });
}

/** The batch in one transaction, deciding each conversation against its locked row. */
async function recordUnderLocks(
  deps: RecordDeliveryDeps,
  batch: readonly Planned[],
): Promise<DeliveryResult[]> {
  return deps.db.transaction(async (tx) => {
    const tracked = batch.filter((planned) => planned.key !== null);
    const keys = tracked.map((planned) => planned.key!);
    const known = await lockConversations(tx, keys);
    // Most deliveries come from a known conversation whose contact is stored as the webhook shows
    // it: those write no contact row and cost no round trip.
    const contactIds = storedContactIds(tracked, known);
    const toWrite = tracked.filter((planned) => contactNeedsWrite(planned, known));
    if (toWrite.length > 0)
      for (const [key, id] of await upsertContacts(tx, contactRowsOf(toWrite))) contactIds.set(key, id);

    const missing = tracked.filter((planned) => !known.has(conversationKeyOf(planned.key!)));
    const created = await insertConversations(
      tx,
      missing.map((planned) => newConversationOf(planned, contactIds)),
    );
    // Lost races with concurrent first events of those conversations: decide against their rows.
    const raced = missing.filter((planned) => !created.has(conversationKeyOf(planned.key!)));
    const racedRows = await lockConversations(
      tx,
      raced.map((planned) => planned.key!),
    );

    const decided = await Promise.all(
      batch.map((planned) => {
        if (!planned.key) return Promise.resolve(untrackedEffects(planned));
        const id = conversationKeyOf(planned.key);
        const existing = known.get(id) ?? racedRows.get(id) ?? null;
        return decideEffects(deps, tx, planned, existing, created.get(id) ?? null, contactIds);
      }),
    );
    const written = await writeDeliveryEffects(
      tx,
      decided.map((entry) => entry.effects),
      { notifyWorkers: wakesWorkers(batch, decided) },
    );

    const signals: TaskPayloads['conversation-signal'][] = [];
    const summaries: TaskPayloads['episode-summary'][] = [];
    const results = decided.map((entry, index): DeliveryResult => {
      const deliveryRowId = written[index] ?? null;
      if (deliveryRowId === 'stale') throw new Error('a locked write cannot be stale');
      const result = resultOf(entry, deliveryRowId);
      if (result.status !== 'accepted') return result;
      const { signal, summary } = jobsOf(entry);
      if (signal) signals.push({ ...signal, deliveryId: result.deliveryRowId });
      if (summary) summaries.push(summary);
      return result;
    });
    if (signals.length > 0) await deps.queue.sendMany('conversation-signal', signals, tx);
    // The episode is over: its summary goes into the contact's memory (model or extractive).
    if (summaries.length > 0) await deps.queue.sendMany('episode-summary', summaries, tx);
    return results;
  });
}

/**
 * Workers learn of a new burst (or one due at once) by NOTIFY; a due time that only moved later is
 * found by the timer they set for the earlier one.
 */
function wakesWorkers(batch: readonly Planned[], decided: readonly Decided[]): boolean {
  const now = batch[0]!.now.getTime();
  return decided.some(({ effects }) => {
    const conversation = effects.conversation;
    return (
      conversation?.replyDueAt !== null &&
      conversation?.replyDueAt !== undefined &&
      (conversation.firstUnansweredAt !== null || conversation.replyDueAt.getTime() <= now)
    );
  });
}

function resultOf(entry: Decided, deliveryRowId: number | null): DeliveryResult {
  if (deliveryRowId === null) return { status: 'duplicate' };
  return {
    status: 'accepted',
    deliveryRowId,
    outcome: entry.outcome,
    conversationId: entry.effects.conversation?.id ?? null,
  };
}

/** The pg-boss jobs a delivery enqueues with its records: a takeover's signal, a closed episode's summary. */
function jobsOf(entry: Decided): {
  readonly signal: Omit<TaskPayloads['conversation-signal'], 'deliveryId'> | null;
  readonly summary: TaskPayloads['episode-summary'] | null;
} {
  const conversation = entry.effects.conversation;
  return {
    signal:
      conversation && !conversation.replyDueAt && entry.signals
        ? { conversationId: conversation.id, reason: entry.reason }
        : null,
    summary:
      conversation && entry.closedEpisode !== null
        ? { conversationId: conversation.id, episode: entry.closedEpisode }
        : null,
  };
}

function enqueuesJobs(entry: Decided): boolean {
  const { signal, summary } = jobsOf(entry);
  return signal !== null || summary !== null;
}
