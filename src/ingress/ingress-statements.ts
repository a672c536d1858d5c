import { sql, type SQL } from 'drizzle-orm';

import type { Executor } from '../db/database.ts';
import { queryRows } from '../db/query-rows.ts';
import { queuedReplyExistsSql } from '../jobs/job-queue.ts';
import type { Owner } from '../ownership/decide-ownership.ts';

/**
 * The ingress hot path in as few round trips as PostgreSQL allows (data-modifying CTEs): Chatwoot
 * waits for this transaction, and a busy install sends thousands of deliveries a second.
 */

export interface LockedConversation {
  readonly id: number;
  readonly owner: Owner;
  readonly ownerReason: string;
  readonly episode: number;
  readonly labels: string[];
  readonly chatwootUpdatedAt: Date | null;
  readonly firstUnansweredAt: Date | null;
  readonly contactId: number | null;
}

export interface ConversationKey {
  readonly connection: string;
  readonly accountId: number;
  readonly chatwootConversationId: number;
}

export interface ContactSnapshot {
  readonly chatwootContactId: number;
  readonly name: string | null;
  readonly email: string | null;
  readonly phoneNumber: string | null;
  readonly identifier: string | null;
}

interface ConversationRowRaw {
  id: number | string;
  owner: Owner;
  owner_reason: string;
  episode: number;
  labels: string[];
  chatwoot_updated_at: Date | string | null;
  first_unanswered_at: Date | string | null;
  contact_id: number | string | null;
  contact_row_id: number | string | null;
}

const toDate = (value: Date | string | null): Date | null =>
  value === null ? null : value instanceof Date ? value : new Date(value);
const toNumber = (value: number | string | null): number | null => (value === null ? null : Number(value));

function toLocked(row: ConversationRowRaw): LockedConversation {
  return {
    id: Number(row.id),
    owner: row.owner,
    ownerReason: row.owner_reason,
    episode: row.episode,
    labels: row.labels,
    chatwootUpdatedAt: toDate(row.chatwoot_updated_at),
    firstUnansweredAt: toDate(row.first_unanswered_at),
    contactId: toNumber(row.contact_id),
  };
}

const CONVERSATION_COLUMNS = sql.raw(
  'c.id, c.owner, c.owner_reason, c.episode, c.labels, c.chatwoot_updated_at, c.first_unanswered_at, c.contact_id',
);

function contactUpsert(key: ConversationKey, contact: ContactSnapshot): SQL {
  return sql`insert into contacts (connection, account_id, chatwoot_contact_id, name, email, phone_number, identifier)
    values (${key.connection}, ${key.accountId}, ${contact.chatwootContactId}, ${contact.name}, ${contact.email}, ${contact.phoneNumber}, ${contact.identifier})
    on conflict (connection, account_id, chatwoot_contact_id) do update set
      name = coalesce(excluded.name, contacts.name), email = coalesce(excluded.email, contacts.email),
      phone_number = coalesce(excluded.phone_number, contacts.phone_number), identifier = coalesce(excluded.identifier, contacts.identifier),
      updated_at = now()
    returning id`;
}

/**
 * One round trip: refreshes the contact and locks the conversation row FOR UPDATE (so events of one
 * conversation apply one at a time). `conversation` is null when we have never seen it.
 */
export async function upsertContactAndLockConversation(
  tx: Executor,
  key: ConversationKey,
  contact: ContactSnapshot | null,
): Promise<{ conversation: LockedConversation | null; contactRowId: number | null }> {
  const where = sql`c.connection = ${key.connection} and c.account_id = ${key.accountId} and c.chatwoot_conversation_id = ${key.chatwootConversationId}`;
  if (!contact) {
    const rows = await queryRows<ConversationRowRaw>(
      tx,
      sql`select ${CONVERSATION_COLUMNS}, null as contact_row_id from conversations c where ${where} for update of c`,
    );
    return { conversation: rows[0] ? toLocked(rows[0]) : null, contactRowId: null };
  }
  const rows = await queryRows<ConversationRowRaw>(
    tx,
    sql`with ct as (${contactUpsert(key, contact)})
        select ${CONVERSATION_COLUMNS}, (select id from ct) as contact_row_id from conversations c where ${where} for update of c`,
  );
  if (rows[0]) return { conversation: toLocked(rows[0]), contactRowId: toNumber(rows[0].contact_row_id) };
  // The CTE ran even though no conversation matched; read the id it wrote.
  const [found] = await queryRows<{ id: number | string }>(
    tx,
    sql`select id from contacts where connection = ${key.connection} and account_id = ${key.accountId} and chatwoot_contact_id = ${contact.chatwootContactId}`,
  );
  return { conversation: null, contactRowId: toNumber(found?.id ?? null) };
}

export interface NewConversation {
  readonly key: ConversationKey;
  readonly inboxId: number;
  readonly contactId: number | null;
  readonly status: string;
  readonly assigneeType: string | null;
  readonly assigneeId: number | null;
  readonly teamId: number | null;
  readonly labels: readonly string[];
  readonly chatwootUpdatedAt: Date | null;
  readonly owner: Owner;
  readonly ownerReason: string;
  readonly episode: number;
}

/** Inserts a conversation; null when a concurrent delivery created it first (the caller then locks it). */
export async function insertConversation(
  tx: Executor,
  conversation: NewConversation,
): Promise<LockedConversation | null> {
  const { key } = conversation;
  const rows = await queryRows<ConversationRowRaw>(
    tx,
    sql`insert into conversations as c (connection, account_id, chatwoot_conversation_id, inbox_id, contact_id, status, assignee_type, assignee_id, team_id, labels, chatwoot_updated_at, owner, owner_reason, episode)
        values (${key.connection}, ${key.accountId}, ${key.chatwootConversationId}, ${conversation.inboxId}, ${conversation.contactId}, ${conversation.status},
                ${conversation.assigneeType}, ${conversation.assigneeId}, ${conversation.teamId}, ${JSON.stringify(conversation.labels)}::jsonb,
                ${conversation.chatwootUpdatedAt?.toISOString() ?? null}::timestamptz, ${conversation.owner}, ${conversation.ownerReason}, ${conversation.episode})
        on conflict do nothing
        returning ${CONVERSATION_COLUMNS}, null as contact_row_id`,
  );
  return rows[0] ? toLocked(rows[0]) : null;
}

export interface DeliveryRow {
  readonly connection: string;
  readonly deliveryId: string | null;
  readonly dedupeKey: string;
  readonly event: string;
  readonly classification: string;
  readonly accountId: number | null;
  readonly inboxId: number | null;
  readonly conversationId: number | null;
  readonly messageId: number | null;
  readonly signed: boolean;
  readonly outcome: string;
  readonly payloadJson: string;
  readonly receivedAt: Date;
}

function deliveryInsert(delivery: DeliveryRow): SQL {
  return sql`insert into webhook_deliveries (connection, delivery_id, dedupe_key, event, classification, account_id, inbox_id, conversation_id, chatwoot_message_id, signed, outcome, payload, received_at)
    values (${delivery.connection}, ${delivery.deliveryId}, ${delivery.dedupeKey}, ${delivery.event}, ${delivery.classification}, ${delivery.accountId},
            ${delivery.inboxId}, ${delivery.conversationId}, ${delivery.messageId}, ${delivery.signed}, ${delivery.outcome}, ${delivery.payloadJson}::jsonb,
            ${delivery.receivedAt.toISOString()}::timestamptz)
    on conflict do nothing
    returning id`;
}

/** Records a delivery that touches no conversation; null for a duplicate. */
export async function insertDelivery(tx: Executor, delivery: DeliveryRow): Promise<number | null> {
  const rows = await queryRows<{ id: number | string }>(tx, deliveryInsert(delivery));
  return toNumber(rows[0]?.id ?? null);
}

export interface ConversationChanges {
  readonly id: number;
  /** Present when the payload is at least as new as what we know. */
  readonly snapshot: {
    readonly status: string;
    readonly assigneeType: string | null;
    readonly assigneeId: number | null;
    readonly teamId: number | null;
    readonly labels: readonly string[];
    readonly chatwootUpdatedAt: Date | null;
  } | null;
  readonly contactId: number | null;
  readonly owner: Owner;
  readonly ownerReason: string;
  readonly episode: number;
  readonly resetEpisode: boolean;
  /** Set when this message opens a burst (stays unset otherwise). */
  readonly firstUnansweredAt: Date | null;
  /** Set when this message (re)schedules the reply: the burst's new due time. */
  readonly replyDueAt: Date | null;
}

export interface TranscriptRow {
  readonly chatwootMessageId: number;
  readonly role: string;
  readonly content: string | null;
  readonly contentType: string;
  readonly isPrivate: boolean;
  readonly senderType: string | null;
  readonly senderId: number | null;
  readonly attachmentsJson: string;
  readonly sentAt: Date;
}

export interface TransitionRow {
  readonly fromOwner: string;
  readonly toOwner: string;
  readonly event: string;
  readonly reason: string;
}

/**
 * One round trip: the delivery (deduplicated), the conversation's new state, its transcript message
 * and its ownership transition. Returns the delivery row id, or null for a duplicate (the caller
 * rolls back, so nothing else it wrote survives), and whether a reply job already waits for the
 * conversation. That is read here, after the row lock was taken, so its snapshot includes a worker
 * that started the queued job and claimed the burst before we got the lock (handle-reply-job.ts).
 */
export async function recordDeliveryEffects(
  tx: Executor,
  input: {
    delivery: DeliveryRow;
    conversation: ConversationChanges;
    message: TranscriptRow | null;
    transition: TransitionRow | null;
  },
): Promise<{ deliveryRowId: number | null; replyQueued: boolean }> {
  const { conversation: change, message, transition } = input;
  const snapshot = change.snapshot;
  const assignments: SQL[] = [
    sql`owner = ${change.owner}`,
    sql`owner_reason = ${change.ownerReason}`,
    sql`episode = ${change.episode}`,
    sql`updated_at = now()`,
  ];
  if (snapshot) {
    assignments.push(
      sql`status = ${snapshot.status}`,
      sql`assignee_type = ${snapshot.assigneeType}`,
      sql`assignee_id = ${snapshot.assigneeId}`,
      sql`team_id = ${snapshot.teamId}`,
      sql`labels = ${JSON.stringify(snapshot.labels)}::jsonb`,
      sql`chatwoot_updated_at = coalesce(${snapshot.chatwootUpdatedAt?.toISOString() ?? null}::timestamptz, chatwoot_updated_at)`,
    );
  }
  if (change.contactId !== null) assignments.push(sql`contact_id = ${change.contactId}`);
  if (change.resetEpisode)
    assignments.push(
      sql`bot_turns_in_episode = 0`,
      sql`first_unanswered_at = null`,
      sql`last_answered_message_id = null`,
    );
  if (change.firstUnansweredAt)
    assignments.push(sql`first_unanswered_at = ${change.firstUnansweredAt.toISOString()}::timestamptz`);
  if (change.replyDueAt)
    assignments.push(sql`reply_due_at = ${change.replyDueAt.toISOString()}::timestamptz`);

  const ctes: SQL[] = [
    sql`d as (${deliveryInsert(input.delivery)})`,
    sql`u as (update conversations set ${sql.join(assignments, sql`, `)} where id = ${change.id} and exists (select 1 from d) returning id)`,
  ];
  if (message) {
    ctes.push(sql`t as (insert into transcript_messages (conversation_id, chatwoot_message_id, role, content, content_type, is_private, sender_type, sender_id, attachments, episode, sent_at)
      select ${change.id}, ${message.chatwootMessageId}, ${message.role}, ${message.content}, ${message.contentType}, ${message.isPrivate}, ${message.senderType},
             ${message.senderId}, ${message.attachmentsJson}::jsonb, ${change.episode}, ${message.sentAt.toISOString()}::timestamptz
      where exists (select 1 from d)
      on conflict do nothing returning id)`);
  }
  if (transition) {
    ctes.push(sql`o as (insert into ownership_transitions (conversation_id, from_owner, to_owner, episode, event, reason, delivery_id)
      select ${change.id}, ${transition.fromOwner}, ${transition.toOwner}, ${change.episode}, ${transition.event}, ${transition.reason}, d.id from d returning id)`);
  }
  const rows = await queryRows<{ delivery_row_id: number | string | null; reply_queued: boolean }>(
    tx,
    sql`with ${sql.join(ctes, sql`, `)} select (select id from d) as delivery_row_id, (select count(*) from u) as updated,
        ${queuedReplyExistsSql(sql`${change.id}::bigint`)} as reply_queued`,
  );
  return {
    deliveryRowId: toNumber(rows[0]?.delivery_row_id ?? null),
    replyQueued: rows[0]?.reply_queued === true,
  };
}
