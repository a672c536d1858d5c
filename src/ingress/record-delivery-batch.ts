import type { TaskPayloads } from '../jobs/task-list.ts';
import { upsertContacts } from './contact-statements.ts';
import {
  conversationKeyOf,
  insertConversations,
  lockConversations,
  readConversations,
  type ConversationKey,
} from './conversation-statements.ts';
import { isBrokenChain, writeDeliveryEffects } from './write-delivery-effects.ts';
import { contactNeedsWrite, contactRowsOf, storedContactIds } from './contact-effects.ts';
import { newConversationOf, type Decided } from './decide-delivery-effects.ts';
import { decideInOrder, mergeConversationWrites } from './decide-in-order.ts';
import type { DeliveryResult, Planned, RecordDeliveryDeps } from './record-webhook-delivery.ts';

/**
 * Writes a batch. No two deliveries of the batch share a dedupe key (the group committer
 * guarantees it); several may share a conversation, and are then decided in their order, each on
 * the state the one before left, exactly as if they were written one transaction at a time.
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
  try {
    return await recordMerged(deps, batch);
  } catch (error) {
    if (!isBrokenChain(error)) throw error;
    return recordInLayers(deps, batch);
  }
}

async function recordMerged(deps: RecordDeliveryDeps, batch: readonly Planned[]): Promise<DeliveryResult[]> {
  const optimistic = await recordWithoutLocks(deps, batch);
  if (!optimistic) return recordUnderLocks(deps, batch);
  const stale = batch.filter((_, index) => optimistic[index] === 'stale');
  if (stale.length === 0) return optimistic as DeliveryResult[];
  const again = await recordUnderLocks(deps, stale);
  let next = 0;
  return optimistic.map((result) => (result === 'stale' ? again[next++]! : result));
}

/**
 * A delivery decided together with others of its conversation turned out to be stored already
 * (rare: a redelivery, or another process): write the batch as layers that hold at most one
 * delivery per conversation, in order, each decided on what the layer before wrote.
 */
async function recordInLayers(
  deps: RecordDeliveryDeps,
  batch: readonly Planned[],
): Promise<DeliveryResult[]> {
  const layers: number[][] = [];
  const seen = new Map<string, number>();
  batch.forEach((planned, index) => {
    const key = planned.key ? conversationKeyOf(planned.key) : null;
    const layer = key === null ? 0 : (seen.get(key) ?? -1) + 1;
    if (key !== null) seen.set(key, layer);
    (layers[layer] ??= []).push(index);
  });
  const results = new Array<DeliveryResult>(batch.length);
  for (const layer of layers) {
    const written = await recordMerged(
      deps,
      layer.map((index) => batch[index]!),
    );
    layer.forEach((index, position) => (results[index] = written[position]!));
  }
  return results;
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
  const known = await readConversations(deps.db, uniqueKeys(tracked));
  if (
    tracked.some(
      (planned) => !known.has(conversationKeyOf(planned.key!)) || contactNeedsWrite(planned, known),
    )
  )
    return null;
  const contactIds = storedContactIds(tracked, known);
  const decided = await decideInOrder(
    deps,
    deps.db,
    batch,
    (key) => ({ existing: known.get(key)!, created: null }),
    contactIds,
  );
  if (decided.some(enqueuesJobs)) return null;
  const written = await writeDeliveryEffects(
    deps.db,
    mergeConversationWrites(
      decided.map((entry, index) => {
        const key = batch[index]!.key;
        return {
          ...entry.effects,
          expectedFingerprint: key ? known.get(conversationKeyOf(key))!.fingerprint : null,
        };
      }),
    ),
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
    const known = await lockConversations(tx, uniqueKeys(tracked));
    // Most deliveries come from a known conversation whose contact is stored as the webhook shows
    // it: those write no contact row and cost no round trip.
    const contactIds = storedContactIds(tracked, known);
    const toWrite = tracked.filter((planned) => contactNeedsWrite(planned, known));
    if (toWrite.length > 0)
      for (const [key, id] of await upsertContacts(tx, contactRowsOf(toWrite))) contactIds.set(key, id);

    // A conversation's first delivery in the batch creates it; the ones after it see it created.
    const missing = firstOfEach(tracked.filter((planned) => !known.has(conversationKeyOf(planned.key!))));
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

    const decided = await decideInOrder(
      deps,
      tx,
      batch,
      (key) => ({
        existing: known.get(key) ?? racedRows.get(key) ?? null,
        created: created.get(key) ?? null,
      }),
      contactIds,
    );
    const written = await writeDeliveryEffects(
      tx,
      mergeConversationWrites(decided.map((entry) => entry.effects)),
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

/** The first delivery of each conversation, in batch order. */
function firstOfEach(tracked: readonly Planned[]): Planned[] {
  const seen = new Set<string>();
  return tracked.filter((planned) => {
    const key = conversationKeyOf(planned.key!);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const uniqueKeys = (tracked: readonly Planned[]): ConversationKey[] =>
  firstOfEach(tracked).map((planned) => planned.key!);

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
