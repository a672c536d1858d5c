import { sql } from 'drizzle-orm';

import type { Executor } from '../db/database.ts';
import { queryPreparedRows } from '../db/query-rows.ts';
import { REPLY_QUEUE } from '../jobs/create-reply-queue.ts';
import { PGBOSS_SCHEMA } from '../jobs/job-queue.ts';
import { notifyChannel } from '../jobs/listen-for-queue-notifications.ts';
import type { Owner } from '../ownership/decide-ownership.ts';
import { CONTACT_JOIN, DECISION_INPUTS, type ConversationSnapshot } from './conversation-statements.ts';

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
    /** The raw body as received (UTF-8; decide-delivery-effects' storableBytes). */
    readonly payload: Buffer;
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
    /**
     * Merged writes only (decide-in-order.ts): an earlier delivery of the batch dropped the waiting
     * burst, so a null due time clears the stored one instead of keeping it.
     */
    readonly dropsReplyDue?: boolean;
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
  /**
   * Decided on an unlocked read: the conversation's decision inputs must still hash to this under
   * the lock, or nothing of this delivery is written (`stale`) and the caller decides it again.
   */
  readonly expectedFingerprint?: string | null;
  /**
   * A later delivery of the same conversation in this batch writes the conversation's row, with
   * this one's changes merged in; this one writes its own rows only. All of them are written or
   * the statement fails (a duplicate among them would have been decided on), see `chain_intact`.
   */
  readonly writtenWithLaterDelivery?: boolean;
}

/** The text of the error writeDeliveryEffects fails with when a delivery of a merged write was a duplicate. */
const CHAIN_BROKEN =
  'ingress: a delivery decided with others of its conversation was already stored, conversation ';

export function isBrokenChain(error: unknown): boolean {
  return error instanceof Error && error.message.includes(CHAIN_BROKEN.trim());
}

/** A delivery's row id; null for a duplicate; 'stale' when its guard failed. Neither wrote anything. */
export type EffectsResult = number | null | 'stale';

/**
 * One round trip for the whole batch: the deliveries (deduplicated by the unique indexes), and for
 * each delivery that was not a duplicate its conversation's new state (its reply due time: the
 * reply queue), transcript message and ownership transition. `notifyWorkers`: NOTIFY the workers
 * (on pg-boss's channel, which their dispatcher listens to) when the transaction commits.
 *
 * Items with an expected fingerprint were decided without a lock: the statement locks their
 * conversations (in id order) and writes only those whose decision inputs are unchanged; the row
 * lock is then held for this one statement, not across a transaction's round trips.
 */
export async function writeDeliveryEffects(
  tx: Executor,
  items: readonly DeliveryEffects[],
  options: { readonly notifyWorkers: boolean },
): Promise<EffectsResult[]> {
  // The raw bodies travel as one parameter, hex-encoded, each row naming its slice: inside the JSON
  // document, or as a text array, every quote in them was escaped here and parsed again there. Hex,
  // not a binary parameter: PGlite turns a binary one into hex itself, a byte at a time in
  // JavaScript (half its ingress rate); Node's and PostgreSQL's hex codecs are native.
  const payloads = Buffer.concat(items.map((item) => item.delivery.payload)).toString('hex');
  let nextStart = 1; // substring() counts from 1
  const payloadStarts = items.map((item) => {
    const start = nextStart;
    nextStart += item.delivery.payload.length;
    return start;
  });
  // Read with json_to_recordset, not jsonb: jsonb's input sorts every object's keys to build its
  // binary form (qsort was the top function of PostgreSQL's CPU in bench:ingress, jsonb_in 12 % of
  // it); these rows are read once, field by field, so the plain text form is cheaper (measured on
  // a batch of 20 of these rows: 30 → 18 µs of PostgreSQL's CPU per row).
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
        payload_start: payloadStarts[index],
        payload_length: delivery.payload.length,
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
        drops_reply_due: conversation?.dropsReplyDue ?? false,
        written_later: item.writtenWithLaterDelivery ?? false,
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
        fingerprint: item.expectedFingerprint ?? null,
      };
    }),
  );
  const rows = await queryPreparedRows<{
    idx: number;
    delivery_row_id: number | string | null;
    stale: boolean;
  }>(
    tx,
    'ingress_write_delivery_effects',
    sql`with v as materialized (
        select * from json_to_recordset(${json}::json) as v(
          idx integer, connection text, delivery_id text, dedupe_key text, event text, classification text, account_id integer,
          inbox_id integer, chatwoot_conversation_id integer, chatwoot_message_id bigint, signed boolean, outcome text,
          received_at timestamptz, payload_start integer, payload_length integer, conversation_row_id bigint, has_snapshot boolean, status text, assignee_type text, assignee_id integer,
          team_id integer, labels jsonb, chatwoot_updated_at timestamptz, contact_row_id bigint, owner text, owner_reason text,
          episode integer, reset_episode boolean, first_unanswered_at timestamptz, reply_due_at timestamptz, drops_reply_due boolean,
          written_later boolean, has_message boolean,
          message_role text, message_content text, message_content_type text, message_is_private boolean, message_sender_type text,
          message_sender_id integer, message_attachments text, message_sent_at timestamptz, message_chatwoot_id bigint,
          has_transition boolean, from_owner text, to_owner text, transition_event text, transition_reason text,
          fingerprint text)
      ),
      -- Each row is locked by its own primary-key lookup, in id order: a lateral subquery, which the
      -- planner can only join by a nested loop (why: conversation-statements.ts, keysTable).
      -- Materialized: the locks are taken once, in that order, not wherever a reader of it runs.
      guard as materialized (
        select c.id, ${DECISION_INPUTS} = e.fingerprint as fresh
        from (select distinct conversation_row_id, fingerprint from v where fingerprint is not null order by conversation_row_id) e
        cross join lateral (select * from conversations c where c.id = e.conversation_row_id offset 0 for update) c
        ${CONTACT_JOIN}
      ),
      w as (
        select v.* from v
        where v.fingerprint is null or exists (select 1 from guard g where g.id = v.conversation_row_id and g.fresh)
      ),
      d as (
        insert into webhook_deliveries (connection, delivery_id, dedupe_key, event, classification, account_id, inbox_id, conversation_id,
                                        chatwoot_message_id, signed, outcome, payload, received_at)
        select v.connection, v.delivery_id, v.dedupe_key, v.event, v.classification, v.account_id, v.inbox_id,
               v.chatwoot_conversation_id, v.chatwoot_message_id, v.signed, v.outcome,
               convert_from(substring((select decode(${payloads}::text, 'hex')) from v.payload_start for v.payload_length), 'UTF8'), v.received_at
        from w v
        order by v.connection, v.dedupe_key
        on conflict do nothing
        returning id, connection, dedupe_key
      ),
      kept as (select w.*, d.id as delivery_row_id from w join d on d.connection = w.connection and d.dedupe_key = w.dedupe_key),
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
          reply_due_at = case when k.owner <> 'bot' or k.drops_reply_due then null else coalesce(k.reply_due_at, c.reply_due_at) end
        from kept k
        where c.id = k.conversation_row_id and not k.written_later
        returning c.id, c.reply_due_at, c.reply_lease_until
      ),
      -- Several deliveries of one conversation were decided in order, each on the state the one
      -- before left. One of them turning out a duplicate (stored by another process meanwhile)
      -- would leave the merged write wrong: fail the whole statement (the cast of a non-constant
      -- text), and the caller writes the batch again in layers of one delivery per conversation.
      chain_intact as (
        select coalesce(min((${CHAIN_BROKEN} || w.conversation_row_id)::integer), 0) as failed
        from w
        where w.conversation_row_id in (select conversation_row_id from w group by conversation_row_id having count(*) > 1)
          and not exists (select 1 from kept where kept.idx = w.idx)
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
      -- Also when a conversation this statement locked has a burst due and unclaimed, whatever the
      -- delivery (the bot's own echo, a note): a claim that ran meanwhile skipped the locked row
      -- (SKIP LOCKED), and nothing else would wake a worker for it before the backstop poll.
      n as (
        select pg_notify(${notifyChannel(PGBOSS_SCHEMA)}, ${REPLY_QUEUE})
        where ${options.notifyWorkers}
           or exists (select 1 from u where u.reply_due_at <= now() and (u.reply_lease_until is null or u.reply_lease_until <= now()))
      )
      select v.idx, kept.delivery_row_id, not exists (select 1 from w where w.idx = v.idx) as stale
      from v left join kept on kept.idx = v.idx
      where (select count(*) from n) >= 0 and (select failed from chain_intact) = 0
      order by v.idx`,
  );
  const results: EffectsResult[] = items.map(() => null);
  for (const row of rows)
    results[row.idx] = row.stale
      ? 'stale'
      : row.delivery_row_id === null
        ? null
        : Number(row.delivery_row_id);
  return results;
}
