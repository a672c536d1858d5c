import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';

import type { EventClassification } from '../chatwoot/classify-webhook-event.ts';
import type { Executor } from '../db/database.ts';
import { decideOwnership, type OwnershipObservation } from '../ownership/decide-ownership.ts';
import type { ConversationSnapshot, LockedConversation, NewConversation } from './conversation-statements.ts';
import type { DeliveryEffects } from './write-delivery-effects.ts';
import { contactIdOf } from './contact-effects.ts';
import type {
  DeliveryInput,
  DeliveryOutcome,
  Planned,
  RecordDeliveryDeps,
} from './record-webhook-delivery.ts';
import { assigneeTypeOf, type WebhookFacts } from './webhook-facts.ts';

/**
 * What ingress decides for one delivery, from the webhook and the conversation as stored: the
 * ownership decision and every row the delivery writes. Pure apart from the debounce lookup.
 */
export interface Decided {
  readonly effects: DeliveryEffects;
  readonly outcome: DeliveryOutcome;
  readonly signals: boolean;
  readonly reason: string;
  /** The episode that this delivery closed, if it closed one. */
  readonly closedEpisode: number | null;
}

export function isTracked(classification: EventClassification): boolean {
  return classification !== 'widget_event' && classification !== 'other';
}

function deliveryRowOf(planned: Planned, outcome: DeliveryOutcome): DeliveryEffects['delivery'] {
  const { input, facts } = planned;
  return {
    connection: input.connection,
    deliveryId: input.deliveryId,
    dedupeKey: planned.dedupeKey,
    event: input.parsed.event.event,
    classification: input.classification,
    accountId: facts.accountId,
    inboxId: facts.conversation?.inbox_id ?? null,
    chatwootConversationId: facts.conversation?.id ?? null,
    messageId: facts.message?.id ?? null,
    signed: input.signed,
    outcome,
    payload: storableBytes(input.rawBody),
    receivedAt: planned.now,
  };
}

export function untrackedEffects(planned: Planned): Decided {
  return {
    effects: {
      delivery: deliveryRowOf(planned, 'ignored'),
      conversation: null,
      message: null,
      transition: null,
    },
    outcome: 'ignored',
    signals: false,
    reason: '',
    closedEpisode: null,
  };
}

function observe(planned: Planned, isSnapshotCurrent: boolean): OwnershipObservation {
  const snapshot = planned.facts.conversation!;
  return {
    classification: planned.input.classification,
    status: snapshot.status,
    assigneeType: assigneeTypeOf(snapshot),
    isSnapshotCurrent,
  };
}

const snapshotTimeOf = (planned: Planned): Date | null => {
  const updatedAt = planned.facts.conversation!.updated_at;
  return updatedAt ? new Date(updatedAt * 1000) : null;
};

/** The conversation's state as the webhook shows it (labels: the ones we know when it has none). */
function snapshotOf(planned: Planned, knownLabels: readonly string[]): ConversationSnapshot {
  const snapshot = planned.facts.conversation!;
  return {
    status: snapshot.status,
    assigneeType: assigneeTypeOf(snapshot),
    assigneeId: snapshot.meta?.assignee?.id ?? null,
    teamId: snapshot.meta?.team?.id ?? null,
    labels: snapshot.labels ?? knownLabels,
    chatwootUpdatedAt: snapshotTimeOf(planned),
  };
}

export function newConversationOf(
  planned: Planned,
  contactIds: ReadonlyMap<string, number>,
): NewConversation {
  const decision = decideOwnership(null, observe(planned, true));
  return {
    ...snapshotOf(planned, []),
    key: planned.key!,
    inboxId: planned.facts.conversation!.inbox_id,
    contactId: contactIdOf(planned, contactIds),
    owner: decision.next.owner,
    ownerReason: decision.reason,
    episode: decision.next.episode,
  };
}

/** The ownership decision and every row a tracked delivery writes (pure apart from the timing lookup). */
export async function decideEffects(
  deps: RecordDeliveryDeps,
  tx: Executor,
  planned: Planned,
  existing: LockedConversation | null,
  created: LockedConversation | null,
  contactIds: ReadonlyMap<string, number>,
): Promise<Decided> {
  const { input, facts, now } = planned;
  const snapshot = facts.conversation!;
  const snapshotTime = snapshotTimeOf(planned);
  const conversation = existing ?? created;
  if (!conversation) throw new Error('conversation neither locked nor created');

  const isSnapshotCurrent =
    !existing ||
    !existing.chatwootUpdatedAt ||
    !snapshotTime ||
    snapshotTime.getTime() >= existing.chatwootUpdatedAt.getTime();
  const decision = decideOwnership(
    existing ? { owner: existing.owner, episode: existing.episode } : null,
    observe(planned, isSnapshotCurrent),
  );
  const episodeChanged = existing !== null && decision.next.episode !== existing.episode;
  const firstUnansweredAt = existing && !episodeChanged ? existing.firstUnansweredAt : null;

  const schedulesReply = input.classification === 'customer_message' && decision.next.owner === 'bot';
  const outcome: DeliveryOutcome = schedulesReply
    ? 'reply_scheduled'
    : decision.changed
      ? 'ownership_changed'
      : 'recorded';
  // Trailing window: each message pushes the reply back, but never past maxWait after the burst began.
  let replyDueAt: Date | null = null;
  if (schedulesReply) {
    const timing = await deps.replyTiming(input.connection, snapshot.inbox_id, tx);
    const first = firstUnansweredAt ?? now;
    replyDueAt = new Date(Math.min(now.getTime() + timing.debounceMs, first.getTime() + timing.maxWaitMs));
  }
  const message = facts.message;
  return {
    effects: {
      delivery: deliveryRowOf(planned, outcome),
      conversation: {
        id: conversation.id,
        snapshot: isSnapshotCurrent ? snapshotOf(planned, existing?.labels ?? []) : null,
        contactId: contactIdOf(planned, contactIds),
        owner: decision.next.owner,
        ownerReason: decision.changed ? decision.reason : (existing?.ownerReason ?? decision.reason),
        episode: decision.next.episode,
        resetEpisode: episodeChanged,
        firstUnansweredAt: schedulesReply && !firstUnansweredAt ? now : null,
        replyDueAt,
      },
      message: message
        ? {
            chatwootMessageId: message.id,
            role: message.role,
            content: message.content,
            contentType: message.contentType,
            isPrivate: message.isPrivate,
            senderType: message.senderType,
            senderId: message.senderId,
            attachmentsJson: JSON.stringify(message.attachments),
            sentAt: message.sentAt,
          }
        : null,
      transition: decision.changed
        ? {
            fromOwner: existing?.owner ?? 'none',
            toOwner: decision.next.owner,
            event: input.classification,
            reason: decision.reason,
          }
        : null,
    },
    outcome,
    signals: decision.changed && decision.actions.length > 0,
    reason: decision.reason,
    closedEpisode: decision.changed && decision.next.owner === 'closed' ? decision.next.episode : null,
  };
}

/**
 * The same Chatwoot message can arrive under two delivery ids (e.g. a manual redelivery); the
 * message id catches that. Other events dedupe on Chatwoot's delivery id, or the body itself
 * when an old Chatwoot sends none.
 */
export function dedupeKeyOf(input: DeliveryInput, facts: WebhookFacts): string {
  if (input.parsed.kind === 'message' && input.parsed.event.event === 'message_created') {
    return `message_created:${facts.accountId}:${input.parsed.event.id}`;
  }
  if (input.deliveryId) return `delivery:${input.deliveryId}`;
  return `body:${createHash('sha256').update(input.rawBody).digest('hex')}`;
}

/**
 * The body as received, as bytes PostgreSQL's text can hold: valid UTF-8 without NUL (what a body
 * that parsed as JSON nearly always is: JSON escapes NUL inside strings). Otherwise it is stored as
 * decoded, each invalid sequence as U+FFFD and NUL dropped.
 */
function storableBytes(raw: Buffer): Buffer {
  if (isUtf8(raw) && !raw.includes(0)) return raw;
  return Buffer.from(raw.toString('utf8').replaceAll('\u0000', ''), 'utf8');
}
