import { createHash } from 'node:crypto';

import type { EventClassification } from '../chatwoot/classify-webhook-event.ts';
import type { ParsedWebhookEvent } from '../chatwoot/webhook-schemas.ts';
import type { Database, Executor } from '../db/database.ts';
import { createContactRepository } from '../db/repositories/contact-repository.ts';
import { createConversationRepository, type ConversationRow } from '../db/repositories/conversation-repository.ts';
import { createTranscriptRepository } from '../db/repositories/transcript-repository.ts';
import { createWebhookDeliveryRepository } from '../db/repositories/webhook-delivery-repository.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { decideOwnership, type Owner, type OwnershipDecision } from '../ownership/decide-ownership.ts';
import { assigneeTypeOf, extractWebhookFacts, type WebhookFacts } from './webhook-facts.ts';

export interface ReplyTiming {
  readonly debounceMs: number;
  readonly maxWaitMs: number;
}

export interface RecordDeliveryDeps {
  readonly db: Database;
  readonly queue: Pick<JobQueue, 'scheduleReply' | 'send'>;
  readonly now: () => Date;
  /** Debounce window for an inbox (per-inbox settings, or the global default). */
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

export type DeliveryOutcome =
  | 'reply_scheduled'
  | 'ownership_changed'
  | 'recorded'
  | 'ignored';

export type DeliveryResult =
  | { readonly status: 'accepted'; readonly deliveryRowId: number; readonly outcome: DeliveryOutcome; readonly conversationId: number | null }
  | { readonly status: 'duplicate' };

/**
 * Records one verified delivery and everything it implies — contact, conversation, transcript,
 * ownership transition and the job — in ONE transaction: either all of it exists or none of it.
 * Never calls Chatwoot or a model: this runs while Chatwoot waits for its 200.
 */
export async function recordWebhookDelivery(deps: RecordDeliveryDeps, input: DeliveryInput): Promise<DeliveryResult> {
  const now = deps.now();
  const facts = extractWebhookFacts(input.parsed, input.classification, now);
  return deps.db.transaction(async (tx) => {
    const deliveries = createWebhookDeliveryRepository(tx);
    const deliveryRowId = await deliveries.insertIfNew({
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
      payload: input.payload,
      receivedAt: now,
    });
    if (deliveryRowId === null) return { status: 'duplicate' } as const;

    if (!facts.conversation || facts.accountId === null || !isTracked(input.classification)) {
      return { status: 'accepted', deliveryRowId, outcome: 'ignored', conversationId: null } as const;
    }
    const { outcome, conversationId } = await applyToConversation(deps, tx, input, facts, deliveryRowId, now);
    await deliveries.setOutcome(deliveryRowId, outcome);
    return { status: 'accepted', deliveryRowId, outcome, conversationId } as const;
  });
}

function isTracked(classification: EventClassification): boolean {
  return classification !== 'widget_event' && classification !== 'other';
}

async function applyToConversation(
  deps: RecordDeliveryDeps,
  tx: Executor,
  input: DeliveryInput,
  facts: WebhookFacts,
  deliveryRowId: number,
  now: Date,
): Promise<{ outcome: DeliveryOutcome; conversationId: number }> {
  const snapshot = facts.conversation!;
  const accountId = facts.accountId!;
  const conversations = createConversationRepository(tx);
  const contactId = facts.contact
    ? await createContactRepository(tx).upsert({
        connection: input.connection,
        accountId,
        chatwootContactId: facts.contact.id,
        name: facts.contact.name,
        email: facts.contact.email,
        phoneNumber: facts.contact.phone_number,
        identifier: facts.contact.identifier,
      })
    : null;

  const key = { connection: input.connection, accountId, chatwootConversationId: snapshot.id };
  const snapshotTime = snapshot.updated_at ? new Date(snapshot.updated_at * 1000) : null;
  const assigneeType = assigneeTypeOf(snapshot);
  const observe = (isSnapshotCurrent: boolean) => ({
    classification: input.classification,
    status: snapshot.status,
    assigneeType,
    isSnapshotCurrent,
  });

  let existing = await conversations.lockByKey(key, tx);
  let conversation: ConversationRow | null = null;
  let decision: OwnershipDecision | null = null;
  if (!existing) {
    decision = decideOwnership(null, observe(true));
    const created = await conversations.insertOrLock(
      {
        ...key,
        inboxId: snapshot.inbox_id,
        contactId,
        status: snapshot.status,
        assigneeType,
        assigneeId: snapshot.meta?.assignee?.id ?? null,
        teamId: snapshot.meta?.team?.id ?? null,
        labels: snapshot.labels ?? [],
        chatwootUpdatedAt: snapshotTime,
        owner: decision.next.owner,
        ownerReason: decision.reason,
        episode: decision.next.episode,
      },
      tx,
    );
    // Lost a race with a concurrent first event of the same conversation: decide against its row.
    if (created.created) conversation = created.row;
    else existing = created.row;
  }
  let episodeChanged = false;
  if (existing) {
    const isSnapshotCurrent =
      !existing.chatwootUpdatedAt || !snapshotTime || snapshotTime.getTime() >= existing.chatwootUpdatedAt.getTime();
    decision = decideOwnership({ owner: existing.owner as Owner, episode: existing.episode }, observe(isSnapshotCurrent));
    episodeChanged = decision.next.episode !== existing.episode;
    conversation = existing;
    await conversations.update(
      existing.id,
      {
        ...(isSnapshotCurrent
          ? {
              status: snapshot.status,
              assigneeType,
              assigneeId: snapshot.meta?.assignee?.id ?? null,
              teamId: snapshot.meta?.team?.id ?? null,
              labels: snapshot.labels ?? existing.labels,
              chatwootUpdatedAt: snapshotTime ?? existing.chatwootUpdatedAt,
            }
          : {}),
        ...(contactId !== null ? { contactId } : {}),
        owner: decision.next.owner,
        ownerReason: decision.changed ? decision.reason : existing.ownerReason,
        episode: decision.next.episode,
        ...(episodeChanged ? { botTurnsInEpisode: 0, firstUnansweredAt: null, lastAnsweredMessageId: null } : {}),
      },
      tx,
    );
  }
  if (!conversation || !decision) throw new Error('unreachable: conversation neither created nor found');

  if (decision.changed) {
    await conversations.recordTransition(
      {
        conversationId: conversation.id,
        fromOwner: existing?.owner ?? 'none',
        toOwner: decision.next.owner,
        episode: decision.next.episode,
        event: input.classification,
        reason: decision.reason,
        deliveryId: deliveryRowId,
      },
      tx,
    );
  }

  let isNewMessage = false;
  if (facts.message) {
    isNewMessage = await createTranscriptRepository(tx).insert({
      conversationId: conversation.id,
      chatwootMessageId: facts.message.id,
      role: facts.message.role,
      content: facts.message.content,
      contentType: facts.message.contentType,
      isPrivate: facts.message.isPrivate,
      senderType: facts.message.senderType,
      senderId: facts.message.senderId,
      attachments: facts.message.attachments,
      episode: decision.next.episode,
      sentAt: facts.message.sentAt,
    });
  }

  if (input.classification === 'customer_message' && isNewMessage && decision.next.owner === 'bot') {
    await scheduleReply(deps, tx, conversation, episodeChanged ? null : conversation.firstUnansweredAt, now);
    return { outcome: 'reply_scheduled', conversationId: conversation.id };
  }
  if (decision.changed && decision.actions.length > 0) {
    await deps.queue.send('conversation-signal', { conversationId: conversation.id, reason: decision.reason, deliveryId: deliveryRowId }, tx);
    return { outcome: 'ownership_changed', conversationId: conversation.id };
  }
  return { outcome: decision.changed ? 'ownership_changed' : 'recorded', conversationId: conversation.id };
}

/** Trailing window: each message pushes the run back, but never past `maxWait` after the first unanswered one. */
async function scheduleReply(
  deps: RecordDeliveryDeps,
  tx: Executor,
  conversation: ConversationRow,
  firstUnansweredAt: Date | null,
  now: Date,
): Promise<void> {
  const timing = await deps.replyTiming(conversation.connection, conversation.inboxId, tx);
  const first = firstUnansweredAt ?? now;
  const startAfter = new Date(Math.min(now.getTime() + timing.debounceMs, first.getTime() + timing.maxWaitMs));
  if (!firstUnansweredAt) await createConversationRepository(tx).update(conversation.id, { firstUnansweredAt: first }, tx);
  await deps.queue.scheduleReply({ conversationId: conversation.id }, startAfter, tx);
}

/**
 * The same Chatwoot message can arrive under two delivery ids (e.g. a manual redelivery); the
 * message id catches that. Other events dedupe on Chatwoot's delivery id, or the body itself
 * when an old Chatwoot sends none.
 */
function dedupeKeyOf(input: DeliveryInput, facts: WebhookFacts): string {
  const event = input.parsed.event.event;
  if (event === 'message_created' && input.parsed.kind === 'message') {
    return `message_created:${facts.accountId}:${input.parsed.event.id}`;
  }
  if (input.deliveryId) return `delivery:${input.deliveryId}`;
  return `body:${createHash('sha256').update(input.rawBody).digest('hex')}`;
}

export type { OwnershipDecision };
