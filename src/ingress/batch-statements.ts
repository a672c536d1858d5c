import { sql } from 'drizzle-orm';

import type { Executor } from '../db/database.ts';
import { queryPreparedRows } from '../db/query-rows.ts';
import { PGBOSS_SCHEMA } from '../jobs/job-queue.ts';
import { notifyChannel } from '../jobs/listen-for-queue-notifications.ts';
import { REPLY_QUEUE } from '../jobs/create-reply-queue.ts';
import type { Owner } from '../ownership/decide-ownership.ts';

/**
 * The ingress statements, set-based: each takes the rows of a whole batch of deliveries as one
 * JSON parameter, so a batch costs the same few round trips (and one plan each) whatever its size.
 * Rows are written in key order so that concurrent batches take their row locks in the same order.
 */

export interface ConversationKey {
  readonly connection: string;
  readonly accountId: number;
  readonly chatwootConversationId: number;
}

export const conversationKeyOf = (key: ConversationKey): string =>
  `${key.connection}\u0000${key.accountId}\u0000${key.chatwootConversationId}`;

export interface ContactRow {
  readonly connection: string;
  readonly accountId: number;
  readonly chatwootContactId: number;
  readonly name: string | null;
  readonly email: string | null;
  readonly phoneNumber: string | null;
  readonly identifier: string | null;
}

export const contactKeyOf = (
  row: Pick<ContactRow, 'connection' | 'accountId' | 'chatwootContactId'>,
): string => `${row.connection}\u0000${row.accountId}\u0000${row.chatwootContactId}`;

/** Inserts or refreshes the contacts (one row per key); returns their row ids by contact key. */
export async function upsertContacts(
  tx: Executor,
  rows: readonly ContactRow[],
): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  if (rows.length === 0) return ids;
  const json = JSON.stringify(
    rows.map((row) => ({
      connection: row.connection,
      account_id: row.accountId,
      chatwoot_contact_id: row.chatwootContactId,
      name: row.name,
      email: row.email,
      phone_number: row.phoneNumber,
      identifier: row.identifier,
    })),
  );
  const result = await queryPreparedRows<{
    id: number | string;
    connection: string;
    account_id: number;
    chatwoot_contact_id: number;
  }>(
    tx,
    'ingress_upsert_contacts',
    sql`insert into contacts (connection, account_id, chatwoot_contact_id, name, email, phone_number, identifier)
      select connection, account_id, chatwoot_contact_id, name, email, phone_number, identifier
      from jsonb_to_recordset(${json}::jsonb) as x(connection text, account_id integer, chatwoot_contact_id integer,
                                                  name text, email text, phone_number text, identifier text)
      order by connection, account_id, chatwoot_contact_id
      on conflict (connection, account_id, chatwoot_contact_id) do update set
        name = coalesce(excluded.name, contacts.name), email = coalesce(excluded.email, contacts.email),
        phone_number = coalesce(excluded.phone_number, contacts.phone_number),
        identifier = coalesce(excluded.identifier, contacts.identifier), updated_at = now()
      returning id, connection, account_id, chatwoot_contact_id`,
  );
  for (const row of result)
    ids.set(
      contactKeyOf({
        connection: row.connection,
        accountId: row.account_id,
        chatwootContactId: row.chatwoot_contact_id,
      }),
      Number(row.id),
    );
  return ids;
}

/** The contact a conversation row points at, as stored. */
export interface StoredContact {
  readonly id: number;
  readonly chatwootContactId: number;
  readonly name: string | null;
  readonly email: string | null;
  readonly phoneNumber: string | null;
  readonly identifier: string | null;
}

export interface LockedConversation {
  readonly id: number;
  /** Null for a conversation this batch created, and for one without a contact. */
  readonly contact: StoredContact | null;
  readonly owner: Owner;
  readonly ownerReason: string;
  readonly episode: number;
  readonly labels: string[];
  readonly chatwootUpdatedAt: Date | null;
  readonly firstUnansweredAt: Date | null;
}

interface ConversationRowRaw {
  id: number | string;
  contact_row_id?: number | string | null;
  contact_chatwoot_id?: number | null;
  contact_name?: string | null;
  contact_email?: string | null;
  contact_phone_number?: string | null;
  contact_identifier?: string | null;
  connection: string;
  account_id: number;
  chatwoot_conversation_id: number;
  owner: Owner;
  owner_reason: string;
  episode: number;
  labels: string[];
  chatwoot_updated_at: Date | string | null;
  first_unanswered_at: Date | string | null;
}

const toDate = (value: Date | string | null): Date | null =>
  value === null ? null : value instanceof Date ? value : new Date(value);

const RETURNED_COLUMNS = sql.raw(
  'c.id, c.connection, c.account_id, c.chatwoot_conversation_id, c.owner, c.owner_reason, c.episode, c.labels, c.chatwoot_updated_at, c.first_unanswered_at',
);

function byKey(rows: readonly ConversationRowRaw[]): Map<string, LockedConversation> {
  return new Map(
    rows.map((row) => [
      conversationKeyOf({
        connection: row.connection,
        accountId: row.account_id,
        chatwootConversationId: row.chatwoot_conversation_id,
      }),
      {
        id: Number(row.id),
        contact:
          row.contact_row_id === null || row.contact_row_id === undefined
            ? null
            : {
                id: Number(row.contact_row_id),
                chatwootContactId: row.contact_chatwoot_id!,
                name: row.contact_name ?? null,
                email: row.contact_email ?? null,
                phoneNumber: row.contact_phone_number ?? null,
                identifier: row.contact_identifier ?? null,
              },
        owner: row.owner,
        ownerReason: row.owner_reason,
        episode: row.episode,
        labels: row.labels,
        chatwootUpdatedAt: toDate(row.chatwoot_updated_at),
        firstUnansweredAt: toDate(row.first_unanswered_at),
      },
    ]),
  );
}

const keysJson = (keys: readonly ConversationKey[]) =>
  JSON.stringify(
    keys.map((key) => ({
      connection: key.connection,
      account_id: key.accountId,
      chatwoot_conversation_id: key.chatwootConversationId,
    })),
  );

/**
 * Locks the known conversations FOR UPDATE (in id order), so events of one conversation apply one
 * at a time across batches and processes. Conversations we have never seen are absent from the map.
 * Each comes with its contact as stored, so a batch writes only contacts that are new or changed.
 */
export async function lockConversations(
  tx: Executor,
  keys: readonly ConversationKey[],
): Promise<Map<string, LockedConversation>> {
  if (keys.length === 0) return new Map();
  const rows = await queryPreparedRows<ConversationRowRaw>(
    tx,
    'ingress_lock_conversations',
    sql`select ${RETURNED_COLUMNS}, ct.id as contact_row_id, ct.chatwoot_contact_id as contact_chatwoot_id,
        ct.name as contact_name, ct.email as contact_email, ct.phone_number as contact_phone_number,
        ct.identifier as contact_identifier
      from conversations c
      join jsonb_to_recordset(${keysJson(keys)}::jsonb) as k(connection text, account_id integer, chatwoot_conversation_id integer)
        on c.connection = k.connection and c.account_id = k.account_id and c.chatwoot_conversation_id = k.chatwoot_conversation_id
      left join contacts ct on ct.id = c.contact_id
      order by c.id
      for update of c`,
  );
  return byKey(rows);
}

/** What a webhook says about its conversation's state in Chatwoot. */
export interface ConversationSnapshot {
  readonly status: string;
  readonly assigneeType: string | null;
  readonly assigneeId: number | null;
  readonly teamId: number | null;
  readonly labels: readonly string[];
  readonly chatwootUpdatedAt: Date | null;
}

export interface NewConversation extends ConversationSnapshot {
  readonly key: ConversationKey;
  readonly inboxId: number;
  readonly contactId: number | null;
  readonly owner: Owner;
  readonly ownerReason: string;
  readonly episode: number;
}

/**
 * Inserts conversations; the map holds the ones this statement created. A conversation a
 * concurrent transaction created first is missing from it, and the caller locks it instead.
 */
export async function insertConversations(
  tx: Executor,
  rows: readonly NewConversation[],
): Promise<Map<string, LockedConversation>> {
  if (rows.length === 0) return new Map();
  const json = JSON.stringify(
    rows.map((row) => ({
      connection: row.key.connection,
      account_id: row.key.accountId,
      chatwoot_conversation_id: row.key.chatwootConversationId,
      inbox_id: row.inboxId,
      contact_id: row.contactId,
      status: row.status,
      assignee_type: row.assigneeType,
      assignee_id: row.assigneeId,
      team_id: row.teamId,
      labels: row.labels,
      chatwoot_updated_at: row.chatwootUpdatedAt?.toISOString() ?? null,
      owner: row.owner,
      owner_reason: row.ownerReason,
      episode: row.episode,
    })),
  );
  const created = await queryPreparedRows<ConversationRowRaw>(
    tx,
    'ingress_insert_conversations',
    sql`insert into conversations as c (connection, account_id, chatwoot_conversation_id, inbox_id, contact_id, status, assignee_type,
                                        assignee_id, team_id, labels, chatwoot_updated_at, owner, owner_reason, episode)
      select connection, account_id, chatwoot_conversation_id, inbox_id, contact_id, status, assignee_type,
             assignee_id, team_id, labels, chatwoot_updated_at, owner, owner_reason, episode
      from jsonb_to_recordset(${json}::jsonb) as x(connection text, account_id integer, chatwoot_conversation_id integer, inbox_id integer,
             contact_id bigint, status text, assignee_type text, assignee_id integer, team_id integer, labels jsonb,
             chatwoot_updated_at timestamptz, owner text, owner_reason text, episode integer)
      order by connection, account_id, chatwoot_conversation_id
      on conflict do nothing
      returning ${RETURNED_COLUMNS}`,
  );
  return byKey(created);
}

/** One delivery's row and, when it touches a conversation, that conversation's changes. */
export interface DeliveryEffects {
  readonly delivery: {
    readonly connection: string;
    readonly deliveryId: string | null;
    readonly dedupeKey: string;
    readonly event: string;
    readonly classification: string;
    readonly accountId: number | null;
    readonly inboxId: number | null;
    readonly chatwootConversationId: number | null;
    readonly messageId: number | null;
    readonly signed: boolean;
    readonly outcome: string;
    /** The raw body as received. */
    readonly payloadText: string;
    readonly receivedAt: Date;
  };
  readonly conversation: {
    readonly id: number;
    /** Present when the payload is at least as new as what we know. */
    readonly snapshot: ConversationSnapshot | null;
    readonly contactId: number | null;
    readonly owner: Owner;
    readonly ownerReason: string;
    readonly episode: number;
    readonly resetEpisode: boolean;
    /** Set when this message opens a burst. */
    readonly firstUnansweredAt: Date | null;
    /** Set when this message (re)schedules the reply: the burst's new due time. */
    readonly replyDueAt: Date | null;
  } | null;
  readonly message: {
    readonly chatwootMessageId: number;
    readonly role: string;
    readonly content: string | null;
    readonly contentType: string;
    readonly isPrivate: boolean;
    readonly senderType: string | null;
    readonly senderId: number | null;
    readonly attachmentsJson: string;
    readonly sentAt: Date;
  } | null;
  readonly transition: {
    readonly fromOwner: string;
    readonly toOwner: string;
    readonly event: string;
    readonly reason: string;
  } | null;
}

/**
 * One round trip for the whole batch: the deliveries (deduplicated by the unique indexes), and for
 * each delivery that was not a duplicate its conversation's new state (its reply due time: the
 * reply queue), transcript message and ownership transition. `notifyWorkers`: NOTIFY the workers
 * (on pg-boss's channel, which their dispatcher listens to) when the transaction commits.
 * Resolves with each delivery's row id, null for a duplicate (none of its effects were written).
 */
export async function writeDeliveryEffects(
  tx: Executor,
  items: readonly DeliveryEffects[],
  options: { readonly notifyWorkers: boolean },
): Promise<Array<number | null>> {
  const json = JSON.stringify(
    items.map((item, index) => {
      const { delivery, conversation, message, transition } = item;
      const snapshot = conversation?.snapshot ?? null;
      return {
        idx: index,
        connection: delivery.connection,
        delivery_id: delivery.deliveryId,
        dedupe_key: delivery.dedupeKey,
        event: delivery.event,
        classification: delivery.classification,
        account_id: delivery.accountId,
        inbox_id: delivery.inboxId,
        chatwoot_conversation_id: delivery.chatwootConversationId,
        chatwoot_message_id: delivery.messageId,
        signed: delivery.signed,
        outcome: delivery.outcome,
        received_at: delivery.receivedAt.toISOString(),
        conversation_row_id: conversation?.id ?? null,
        has_snapshot: snapshot !== null,
        status: snapshot?.status ?? null,
        assignee_type: snapshot?.assigneeType ?? null,
        assignee_id: snapshot?.assigneeId ?? null,
        team_id: snapshot?.teamId ?? null,
        labels: snapshot?.labels ?? null,
        chatwoot_updated_at: snapshot?.chatwootUpdatedAt?.toISOString() ?? null,
        contact_row_id: conversation?.contactId ?? null,
        owner: conversation?.owner ?? null,
        owner_reason: conversation?.ownerReason ?? null,
        episode: conversation?.episode ?? null,
        reset_episode: conversation?.resetEpisode ?? false,
        first_unanswered_at: conversation?.firstUnansweredAt?.toISOString() ?? null,
        reply_due_at: conversation?.replyDueAt?.toISOString() ?? null,
        has_message: message !== null,
        message_role: message?.role ?? null,
        message_content: message?.content ?? null,
        message_content_type: message?.contentType ?? null,
        message_is_private: message?.isPrivate ?? null,
        message_sender_type: message?.senderType ?? null,
        message_sender_id: message?.senderId ?? null,
        message_attachments: message?.attachmentsJson ?? null,
        message_sent_at: message?.sentAt.toISOString() ?? null,
        message_chatwoot_id: message?.chatwootMessageId ?? null,
        has_transition: transition !== null,
        from_owner: transition?.fromOwner ?? null,
        to_owner: transition?.toOwner ?? null,
        transition_event: transition?.event ?? null,
        transition_reason: transition?.reason ?? null,
      };
    }),
  );
  // The raw bodies travel as their own text array: inside the JSON document they would be escaped
  // and parsed again, which was most of this statement's cost.
  const payloads = items.map((item) => item.delivery.payloadText);
  const rows = await queryPreparedRows<{ idx: number; delivery_row_id: number | string | null }>(
    tx,
    'ingress_write_delivery_effects',
    sql`with v as materialized (
        select * from jsonb_to_recordset(${json}::jsonb) as v(
          idx integer, connection text, delivery_id text, dedupe_key text, event text, classification text, account_id integer,
          inbox_id integer, chatwoot_conversation_id integer, chatwoot_message_id bigint, signed boolean, outcome text,
          received_at timestamptz, conversation_row_id bigint, has_snapshot boolean, status text, assignee_type text, assignee_id integer,
          team_id integer, labels jsonb, chatwoot_updated_at timestamptz, contact_row_id bigint, owner text, owner_reason text,
          episode integer, reset_episode boolean, first_unanswered_at timestamptz, reply_due_at timestamptz, has_message boolean,
          message_role text, message_content text, message_content_type text, message_is_private boolean, message_sender_type text,
          message_sender_id integer, message_attachments text, message_sent_at timestamptz, message_chatwoot_id bigint,
          has_transition boolean, from_owner text, to_owner text, transition_event text, transition_reason text)
      ),
      d as (
        insert into webhook_deliveries (connection, delivery_id, dedupe_key, event, classification, account_id, inbox_id, conversation_id,
                                        chatwoot_message_id, signed, outcome, payload, received_at)
        select v.connection, v.delivery_id, v.dedupe_key, v.event, v.classification, v.account_id, v.inbox_id,
               v.chatwoot_conversation_id, v.chatwoot_message_id, v.signed, v.outcome, p.payload, v.received_at
        from v join unnest(${sql.param(payloads)}::text[]) with ordinality as p(payload, position) on p.position = v.idx + 1
        order by v.connection, v.dedupe_key
        on conflict do nothing
        returning id, connection, dedupe_key
      ),
      kept as (select v.*, d.id as delivery_row_id from v join d on d.connection = v.connection and d.dedupe_key = v.dedupe_key),
      u as (
        update conversations c set
          owner = k.owner, owner_reason = k.owner_reason, episode = k.episode, updated_at = now(),
          status = case when k.has_snapshot then k.status else c.status end,
          assignee_type = case when k.has_snapshot then k.assignee_type else c.assignee_type end,
          assignee_id = case when k.has_snapshot then k.assignee_id else c.assignee_id end,
          team_id = case when k.has_snapshot then k.team_id else c.team_id end,
          labels = case when k.has_snapshot then k.labels else c.labels end,
          chatwoot_updated_at = case when k.has_snapshot then coalesce(k.chatwoot_updated_at, c.chatwoot_updated_at) else c.chatwoot_updated_at end,
          contact_id = coalesce(k.contact_row_id, c.contact_id),
          bot_turns_in_episode = case when k.reset_episode then 0 else c.bot_turns_in_episode end,
          last_answered_message_id = case when k.reset_episode then null else c.last_answered_message_id end,
          first_unanswered_at = case when k.first_unanswered_at is not null then k.first_unanswered_at
                                     when k.reset_episode then null else c.first_unanswered_at end,
          -- The bot no longer owns it: the burst waiting for its reply is dropped with its turn.
          reply_due_at = case when k.owner <> 'bot' then null else coalesce(k.reply_due_at, c.reply_due_at) end
        from kept k
        where c.id = k.conversation_row_id
        returning c.id
      ),
      t as (
        insert into transcript_messages (conversation_id, chatwoot_message_id, role, content, content_type, is_private, sender_type,
                                         sender_id, attachments, episode, sent_at)
        select conversation_row_id, message_chatwoot_id, message_role, message_content, message_content_type, message_is_private,
               message_sender_type, message_sender_id, message_attachments::jsonb, episode, message_sent_at
        from kept where has_message and conversation_row_id is not null
        on conflict do nothing
        returning id
      ),
      o as (
        insert into ownership_transitions (conversation_id, from_owner, to_owner, episode, event, reason, delivery_id)
        select conversation_row_id, from_owner, to_owner, episode, transition_event, transition_reason, delivery_row_id
        from kept where has_transition and conversation_row_id is not null
        returning id
      ),
      n as (select pg_notify(${notifyChannel(PGBOSS_SCHEMA)}, ${REPLY_QUEUE}) where ${options.notifyWorkers})
      select v.idx, kept.delivery_row_id
      from v left join kept on kept.idx = v.idx
      where (select count(*) from n) >= 0
      order by v.idx`,
  );
  const results: Array<number | null> = items.map(() => null);
  for (const row of rows)
    results[row.idx] = row.delivery_row_id === null ? null : Number(row.delivery_row_id);
  return results;
}
