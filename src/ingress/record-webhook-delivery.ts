import { createHash } from 'node:crypto';

import type { EventClassification } from '../chatwoot/classify-webhook-event.ts';
import type { ParsedWebhookEvent } from '../chatwoot/webhook-schemas.ts';
import type { Database, Executor } from '../db/database.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import {
  decideOwnership,
  type OwnershipDecision,
  type OwnershipObservation,
} from '../ownership/decide-ownership.ts';
import {
  insertConversation,
  insertDelivery,
  recordDeliveryEffects,
  upsertContactAndLockConversation,
  type DeliveryRow,
  type LockedConversation,
} from './ingress-statements.ts';
import { assigneeTypeOf, extractWebhookFacts, type WebhookFacts } from './webhook-facts.ts';

export interface ReplyTiming {
  readonly debounceMs: number;
  readonly maxWaitMs: number;
}

export interface RecordDeliveryDeps {
  readonly db: Database;
  readonly queue: Pick<JobQueue, 'scheduleReply' | 'send'>;
  readonly now: () => Date;
  /** Debounce window for an inbox (per-inbox settings, or the global default); reads through `tx`. */
  readonly replyTiming: (connection: string, inboxId: number, tx: Executor) => Promise<ReplyTiming>;
}

export interface DeliveryInput {
  readonly connection: string;
  readonly deliveryId: string | null;
  readonly signed: boolean;
  readonly rawBody: Buffer;
  readonly payload: unknown;
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

/** Thrown inside the transaction to roll back everything a duplicate delivery wrote. */
class DuplicateDelivery extends Error {}

/**
 * Records one verified delivery and everything it implies — contact, conversation, transcript,
 * ownership transition and the job — in ONE transaction: either all of it exists or none of it.
 * Never calls Chatwoot or a model: this runs while Chatwoot waits for its 200.
 */
export async function recordWebhookDelivery(
  deps: RecordDeliveryDeps,
  input: DeliveryInput,
): Promise<DeliveryResult> {
  const now = deps.now();
  const facts = extractWebhookFacts(input.parsed, input.classification, now);
  const delivery: DeliveryRow = {
    connection: input.connection,
    deliveryId: input.deliveryId,
    dedupeKey: dedupeKeyOf(input, facts),
    event: input.parsed.event.event,
    classification: input.classification,
    accountId: facts.accountId,
    inboxId: facts.conversation?.inbox_id ?? null,
    conversationId: facts.conversation?.id ?? null,
    messageId: facts.message?.id ?? null,
    signed: input.signed,
    outcome: 'ignored',
    payloadJson: storableJson(input.rawBody.toString('utf8')),
    receivedAt: now,
  };
  try {
    return await deps.db.transaction(async (tx) => {
      if (!facts.conversation || facts.accountId === null || !isTracked(input.classification)) {
        const deliveryRowId = await insertDelivery(tx, delivery);
        if (deliveryRowId === null) return { status: 'duplicate' } as const;
        return { status: 'accepted', deliveryRowId, outcome: 'ignored', conversationId: null } as const;
      }
      return await applyToConversation(deps, tx, input, facts, delivery, now);
    });
  } catch (error) {
    if (error instanceof DuplicateDelivery) return { status: 'duplicate' };
    throw error;
  }
}

function isTracked(classification: EventClassification): boolean {
  return classification !== 'widget_event' && classification !== 'other';
}

async function applyToConversation(
  deps: RecordDeliveryDeps,
  tx: Executor,
  input: DeliveryInput,
  facts: WebhookFacts,
  delivery: DeliveryRow,
  now: Date,
): Promise<DeliveryResult> {
  const snapshot = facts.conversation!;
  const key = {
    connection: input.connection,
    accountId: facts.accountId!,
    chatwootConversationId: snapshot.id,
  };
  const snapshotTime = snapshot.updated_at ? new Date(snapshot.updated_at * 1000) : null;
  const assigneeType = assigneeTypeOf(snapshot);
  const observe = (isSnapshotCurrent: boolean): OwnershipObservation => ({
    classification: input.classification,
    status: snapshot.status,
    assigneeType,
    isSnapshotCurrent,
  });
  const contact = facts.contact
    ? {
        chatwootContactId: facts.contact.id,
        name: facts.contact.name ?? null,
        email: facts.contact.email ?? null,
        phoneNumber: facts.contact.phone_number ?? null,
        identifier: facts.contact.identifier ?? null,
      }
    : null;

  const locked = await upsertContactAndLockConversation(tx, key, contact);
  const { contactRowId } = locked;
  let existing = locked.conversation;
  let created: LockedConversation | null = null;
  let decision: OwnershipDecision;
  if (!existing) {
    decision = decideOwnership(null, observe(true));
    created = await insertConversation(tx, {
      key,
      inboxId: snapshot.inbox_id,
      contactId: contactRowId,
      status: snapshot.status,
      assigneeType,
      assigneeId: snapshot.meta?.assignee?.id ?? null,
      teamId: snapshot.meta?.team?.id ?? null,
      labels: snapshot.labels ?? [],
      chatwootUpdatedAt: snapshotTime,
      owner: decision.next.owner,
      ownerReason: decision.reason,
      episode: decision.next.episode,
    });
    // Lost a race with a concurrent first event of this conversation: decide against its row.
    if (!created) ({ conversation: existing } = await upsertContactAndLockConversation(tx, key, null));
  }

  let conversationId: number;
  let isSnapshotCurrent = true;
  let firstUnansweredAt: Date | null;
  let episodeChanged = false;
  let fromOwner = 'none';
  if (existing) {
    isSnapshotCurrent =
      !existing.chatwootUpdatedAt ||
      !snapshotTime ||
      snapshotTime.getTime() >= existing.chatwootUpdatedAt.getTime();
    decision = decideOwnership(
      { owner: existing.owner, episode: existing.episode },
      observe(isSnapshotCurrent),
    );
    episodeChanged = decision.next.episode !== existing.episode;
    conversationId = existing.id;
    firstUnansweredAt = episodeChanged ? null : existing.firstUnansweredAt;
    fromOwner = existing.owner;
  } else {
    conversationId = created!.id;
    firstUnansweredAt = null;
    decision = decideOwnership(null, observe(true));
  }

  const schedulesReply = input.classification === 'customer_message' && decision.next.owner === 'bot';
  const signals = decision.changed && decision.actions.length > 0;
  const outcome: DeliveryOutcome = schedulesReply
    ? 'reply_scheduled'
    : decision.changed
      ? 'ownership_changed'
      : 'recorded';
  const burstStart = schedulesReply && !firstUnansweredAt ? now : null;
  // Trailing window: each message pushes the reply back, but never past maxWait after the burst began.
  let replyDueAt: Date | null = null;
  if (schedulesReply) {
    const timing = await deps.replyTiming(key.connection, snapshot.inbox_id, tx);
    const first = firstUnansweredAt ?? now;
    replyDueAt = new Date(Math.min(now.getTime() + timing.debounceMs, first.getTime() + timing.maxWaitMs));
  }

  const { deliveryRowId, replyQueued } = await recordDeliveryEffects(tx, {
    delivery: { ...delivery, outcome },
    conversation: {
      id: conversationId,
      snapshot: isSnapshotCurrent
        ? {
            status: snapshot.status,
            assigneeType,
            assigneeId: snapshot.meta?.assignee?.id ?? null,
            teamId: snapshot.meta?.team?.id ?? null,
            labels: snapshot.labels ?? existing?.labels ?? [],
            chatwootUpdatedAt: snapshotTime,
          }
        : null,
      contactId: contactRowId,
      owner: decision.next.owner,
      ownerReason: decision.changed ? decision.reason : (existing?.ownerReason ?? decision.reason),
      episode: decision.next.episode,
      resetEpisode: episodeChanged,
      firstUnansweredAt: burstStart,
      replyDueAt,
    },
    message: facts.message
      ? {
          chatwootMessageId: facts.message.id,
          role: facts.message.role,
          content: facts.message.content,
          contentType: facts.message.contentType,
          isPrivate: facts.message.isPrivate,
          senderType: facts.message.senderType,
          senderId: facts.message.senderId,
          attachmentsJson: JSON.stringify(facts.message.attachments),
          sentAt: facts.message.sentAt,
        }
      : null,
    transition: decision.changed
      ? { fromOwner, toOwner: decision.next.owner, event: input.classification, reason: decision.reason }
      : null,
  });
  if (deliveryRowId === null) throw new DuplicateDelivery();

  if (replyDueAt) {
    // A queued job is not moved: it reads reply_due_at when it starts and defers itself.
    if (!replyQueued) await deps.queue.scheduleReply({ conversationId }, replyDueAt, tx);
  } else if (signals) {
    await deps.queue.send(
      'conversation-signal',
      { conversationId, reason: decision.reason, deliveryId: deliveryRowId },
      tx,
    );
  }
  if (decision.changed && decision.next.owner === 'closed') {
    // The episode is over: its summary goes into the contact's memory (model or extractive).
    await deps.queue.send('episode-summary', { conversationId, episode: decision.next.episode }, tx);
  }
  return { status: 'accepted', deliveryRowId, outcome, conversationId };
}

/**
 * The same Chatwoot message can arrive under two delivery ids (e.g. a manual redelivery); the
 * message id catches that. Other events dedupe on Chatwoot's delivery id, or the body itself
 * when an old Chatwoot sends none.
 */
function dedupeKeyOf(input: DeliveryInput, facts: WebhookFacts): string {
  if (input.parsed.kind === 'message' && input.parsed.event.event === 'message_created') {
    return `message_created:${facts.accountId}:${input.parsed.event.id}`;
  }
  if (input.deliveryId) return `delivery:${input.deliveryId}`;
  return `body:${createHash('sha256').update(input.rawBody).digest('hex')}`;
}

/** PostgreSQL text and jsonb cannot hold NUL characters, which JSON may escape as \u0000: drop them. */
function storableJson(raw: string): string {
  return raw.includes('\\u0000') ? raw.replaceAll('\\u0000', '') : raw;
}
