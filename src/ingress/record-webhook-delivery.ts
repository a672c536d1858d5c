import { createHash } from 'node:crypto';

import type { EventClassification } from '../chatwoot/classify-webhook-event.ts';
import type { ParsedWebhookEvent } from '../chatwoot/webhook-schemas.ts';
import type { Database, Executor } from '../db/database.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import type { TaskPayloads } from '../jobs/task-list.ts';
import { decideOwnership, type OwnershipObservation } from '../ownership/decide-ownership.ts';
import {
  contactKeyOf,
  conversationKeyOf,
  insertConversations,
  lockConversations,
  upsertContacts,
  writeDeliveryEffects,
  type ContactRow,
  type ConversationKey,
  type ConversationSnapshot,
  type DeliveryEffects,
  type LockedConversation,
  type NewConversation,
  type StoredContact,
} from './batch-statements.ts';
import { createGroupCommitter } from './group-commit.ts';
import { assigneeTypeOf, extractWebhookFacts, type WebhookFacts } from './webhook-facts.ts';

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
 * Writes a batch in one transaction. No two deliveries of the batch share a conversation or a
 * dedupe key (the group committer guarantees it), so each conversation is decided once, against
 * its locked row, exactly as if its deliveries were written one transaction at a time.
 */
export async function recordDeliveryBatch(
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
    // Workers learn of a new burst (or one due at once) by NOTIFY; a due time that only moved
    // later is found by the timer they set for the earlier one.
    const now = batch[0]!.now.getTime();
    const wakesWorkers = decided.some(({ effects }) => {
      const conversation = effects.conversation;
      return (
        conversation?.replyDueAt !== null &&
        conversation?.replyDueAt !== undefined &&
        (conversation.firstUnansweredAt !== null || conversation.replyDueAt.getTime() <= now)
      );
    });
    const written = await writeDeliveryEffects(
      tx,
      decided.map((entry) => entry.effects),
      { notifyWorkers: wakesWorkers },
    );

    const signals: TaskPayloads['conversation-signal'][] = [];
    const summaries: TaskPayloads['episode-summary'][] = [];
    const results = decided.map((entry, index): DeliveryResult => {
      const deliveryRowId = written[index]!;
      if (deliveryRowId === null) return { status: 'duplicate' };
      const conversationId = entry.effects.conversation?.id ?? null;
      if (conversationId !== null) {
        if (!entry.effects.conversation!.replyDueAt && entry.signals)
          signals.push({ conversationId, reason: entry.reason, deliveryId: deliveryRowId });
        if (entry.closedEpisode !== null) summaries.push({ conversationId, episode: entry.closedEpisode });
      }
      return { status: 'accepted', deliveryRowId, outcome: entry.outcome, conversationId };
    });
    if (signals.length > 0) await deps.queue.sendMany('conversation-signal', signals, tx);
    // The episode is over: its summary goes into the contact's memory (model or extractive).
    if (summaries.length > 0) await deps.queue.sendMany('episode-summary', summaries, tx);
    return results;
  });
}

interface Decided {
  readonly effects: DeliveryEffects;
  readonly outcome: DeliveryOutcome;
  readonly signals: boolean;
  readonly reason: string;
  /** The episode that this delivery closed, if it closed one. */
  readonly closedEpisode: number | null;
}

function isTracked(classification: EventClassification): boolean {
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
    payloadText: storableText(input.rawBody.toString('utf8')),
    receivedAt: planned.now,
  };
}

function untrackedEffects(planned: Planned): Decided {
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

/** One row per contact; when two conversations of a batch carry the same contact, later non-null values win. */
function contactRowsOf(tracked: readonly Planned[]): ContactRow[] {
  const rows = new Map<string, ContactRow>();
  for (const planned of tracked) {
    const contact = planned.facts.contact;
    if (!contact) continue;
    const row: ContactRow = {
      connection: planned.key!.connection,
      accountId: planned.key!.accountId,
      chatwootContactId: contact.id,
      name: contact.name ?? null,
      email: contact.email ?? null,
      phoneNumber: contact.phone_number ?? null,
      identifier: contact.identifier ?? null,
    };
    const key = contactKeyOf(row);
    const earlier = rows.get(key);
    rows.set(
      key,
      earlier
        ? {
            ...row,
            name: row.name ?? earlier.name,
            email: row.email ?? earlier.email,
            phoneNumber: row.phoneNumber ?? earlier.phoneNumber,
            identifier: row.identifier ?? earlier.identifier,
          }
        : row,
    );
  }
  return [...rows.values()];
}

/** The stored contact of a known conversation, when it is the contact the webhook names. */
function storedContactOf(
  planned: Planned,
  known: ReadonlyMap<string, LockedConversation>,
): StoredContact | null {
  const contact = planned.facts.contact;
  const stored = known.get(conversationKeyOf(planned.key!))?.contact ?? null;
  return contact && stored?.chatwootContactId === contact.id ? stored : null;
}

function storedContactIds(
  tracked: readonly Planned[],
  known: ReadonlyMap<string, LockedConversation>,
): Map<string, number> {
  const ids = new Map<string, number>();
  for (const planned of tracked) {
    const stored = storedContactOf(planned, known);
    if (stored)
      ids.set(contactKeyOf({ ...planned.key!, chatwootContactId: stored.chatwootContactId }), stored.id);
  }
  return ids;
}

/**
 * Whether the webhook's contact must be written: it is new to us (or to this conversation), or it
 * brings a detail that differs from the stored one (an absent detail keeps the stored one).
 */
function contactNeedsWrite(planned: Planned, known: ReadonlyMap<string, LockedConversation>): boolean {
  const contact = planned.facts.contact;
  if (!contact) return false;
  const stored = storedContactOf(planned, known);
  if (!stored) return true;
  const differs = (incoming: string | null | undefined, current: string | null) =>
    incoming !== null && incoming !== undefined && incoming !== current;
  return (
    differs(contact.name, stored.name) ||
    differs(contact.email, stored.email) ||
    differs(contact.phone_number, stored.phoneNumber) ||
    differs(contact.identifier, stored.identifier)
  );
}

function contactIdOf(planned: Planned, contactIds: ReadonlyMap<string, number>): number | null {
  const contact = planned.facts.contact;
  if (!contact) return null;
  return (
    contactIds.get(
      contactKeyOf({
        connection: planned.key!.connection,
        accountId: planned.key!.accountId,
        chatwootContactId: contact.id,
      }),
    ) ?? null
  );
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

function newConversationOf(planned: Planned, contactIds: ReadonlyMap<string, number>): NewConversation {
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
async function decideEffects(
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
function dedupeKeyOf(input: DeliveryInput, facts: WebhookFacts): string {
  if (input.parsed.kind === 'message' && input.parsed.event.event === 'message_created') {
    return `message_created:${facts.accountId}:${input.parsed.event.id}`;
  }
  if (input.deliveryId) return `delivery:${input.deliveryId}`;
  return `body:${createHash('sha256').update(input.rawBody).digest('hex')}`;
}

/**
 * PostgreSQL text cannot hold NUL characters. A body that parsed as JSON has none (JSON escapes
 * them as \u0000, which text stores as is); this only guards against one that did not come that way.
 */
function storableText(raw: string): string {
  return raw.includes('\u0000') ? raw.replaceAll('\u0000', '') : raw;
}
