import type { Executor } from '../db/database.ts';
import { conversationKeyOf, type LockedConversation } from './conversation-statements.ts';
import { decideEffects, untrackedEffects, type Decided } from './decide-delivery-effects.ts';
import type { Planned, RecordDeliveryDeps } from './record-webhook-delivery.ts';
import type { DeliveryEffects } from './write-delivery-effects.ts';

/**
 * A batch may hold several deliveries of one conversation (a burst that arrived together). They are
 * decided one after the other, each against the state the one before it left, exactly as if each
 * had been written in its own transaction; the conversation's row is then written once, with their
 * effects merged (`mergeConversationWrites`).
 */

type ConversationEffects = NonNullable<DeliveryEffects['conversation']>;

/** Where each conversation of the batch starts: its row as read or locked, or the row this batch created. */
export interface ConversationStart {
  readonly existing: LockedConversation | null;
  readonly created: LockedConversation | null;
}

/** Decides every delivery of the batch; conversations in parallel, a conversation's deliveries in order. */
export async function decideInOrder(
  deps: RecordDeliveryDeps,
  tx: Executor,
  batch: readonly Planned[],
  startOf: (conversationKey: string) => ConversationStart,
  contactIds: ReadonlyMap<string, number>,
): Promise<Decided[]> {
  const decided: Decided[] = new Array<Decided>(batch.length);
  const chains = new Map<string, number[]>();
  batch.forEach((planned, index) => {
    if (!planned.key) {
      decided[index] = untrackedEffects(planned);
      return;
    }
    const key = conversationKeyOf(planned.key);
    const chain = chains.get(key);
    if (chain) chain.push(index);
    else chains.set(key, [index]);
  });
  await Promise.all(
    [...chains].map(async ([key, indexes]) => {
      let { existing, created } = startOf(key);
      for (const index of indexes) {
        const entry = await decideEffects(deps, tx, batch[index]!, existing, created, contactIds);
        decided[index] = entry;
        // The next delivery sees the row as this one leaves it (the row now exists).
        existing = stateAfter((existing ?? created)!, entry.effects.conversation!);
        created = null;
      }
    }),
  );
  return decided;
}

/** The decision inputs of a conversation row after a delivery's effects are written (what the SQL update does). */
export function stateAfter(before: LockedConversation, effects: ConversationEffects): LockedConversation {
  const snapshot = effects.snapshot;
  return {
    ...before,
    owner: effects.owner,
    ownerReason: effects.ownerReason,
    episode: effects.episode,
    labels: snapshot ? [...snapshot.labels] : before.labels,
    chatwootUpdatedAt: snapshot
      ? (snapshot.chatwootUpdatedAt ?? before.chatwootUpdatedAt)
      : before.chatwootUpdatedAt,
    firstUnansweredAt: effects.firstUnansweredAt ?? (effects.resetEpisode ? null : before.firstUnansweredAt),
  };
}

/**
 * The effects to write, one conversation update per conversation: a conversation's last delivery of
 * the batch carries the merge of all of its deliveries' changes, the ones before it write only their
 * own rows (delivery, transcript message, transition).
 */
export function mergeConversationWrites(effects: readonly DeliveryEffects[]): DeliveryEffects[] {
  const last = new Map<number, number>();
  effects.forEach((entry, index) => {
    if (entry.conversation) last.set(entry.conversation.id, index);
  });
  const merged = new Map<number, ConversationEffects>();
  return effects.map((entry, index) => {
    const conversation = entry.conversation;
    if (!conversation) return entry;
    const before = merged.get(conversation.id);
    const combined = before ? mergeTwo(before, conversation) : conversation;
    merged.set(conversation.id, combined);
    return last.get(conversation.id) === index
      ? { ...entry, conversation: combined }
      : { ...entry, writtenWithLaterDelivery: true };
  });
}

/** `a` then `b` as one write, with the update's semantics (writeDeliveryEffects). */
function mergeTwo(a: ConversationEffects, b: ConversationEffects): ConversationEffects {
  // An owner other than the bot drops the waiting burst; a later bot-owned delivery that schedules
  // nothing must not bring the stored due time back.
  const dropsReplyDue =
    b.owner !== 'bot' || (b.replyDueAt === null && (a.owner !== 'bot' || (a.dropsReplyDue ?? false)));
  return {
    ...b,
    snapshot: b.snapshot
      ? {
          ...b.snapshot,
          chatwootUpdatedAt: b.snapshot.chatwootUpdatedAt ?? a.snapshot?.chatwootUpdatedAt ?? null,
        }
      : a.snapshot,
    contactId: b.contactId ?? a.contactId,
    resetEpisode: a.resetEpisode || b.resetEpisode,
    firstUnansweredAt: b.firstUnansweredAt ?? (b.resetEpisode ? null : a.firstUnansweredAt),
    replyDueAt: b.replyDueAt ?? (dropsReplyDue ? null : a.replyDueAt),
    dropsReplyDue,
  };
}
