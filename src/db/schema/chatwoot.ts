import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

/**
 * Every webhook Chatwoot delivered and we accepted (verified and well-formed). Duplicates are
 * refused by the unique indexes: the delivery id (Chatwoot reuses it on retries) and the dedupe
 * key (the same Chatwoot message delivered under another delivery id).
 */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    connection: text('connection').notNull(),
    deliveryId: text('delivery_id'),
    dedupeKey: text('dedupe_key').notNull(),
    event: text('event').notNull(),
    classification: text('classification').notNull(),
    accountId: integer('account_id'),
    inboxId: integer('inbox_id'),
    conversationId: integer('conversation_id'),
    messageId: bigint('chatwoot_message_id', { mode: 'number' }),
    signed: boolean('signed').notNull(),
    outcome: text('outcome').notNull(),
    /**
     * The body exactly as Chatwoot sent it (the bytes its signature covers), kept as text: parsing
     * it into jsonb cost ingress more than all its other writes together, and nothing queries it.
     */
    payload: text('payload').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('webhook_deliveries_delivery_id_key').on(table.connection, table.deliveryId),
    uniqueIndex('webhook_deliveries_dedupe_key').on(table.connection, table.dedupeKey),
    index('webhook_deliveries_conversation_idx').on(table.connection, table.accountId, table.conversationId),
    index('webhook_deliveries_received_at_idx').on(table.receivedAt),
  ],
);

/** A Chatwoot contact as last seen in a webhook. */
export const contacts = pgTable(
  'contacts',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    connection: text('connection').notNull(),
    accountId: integer('account_id').notNull(),
    chatwootContactId: integer('chatwoot_contact_id').notNull(),
    name: text('name'),
    email: text('email'),
    phoneNumber: text('phone_number'),
    identifier: text('identifier'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('contacts_chatwoot_key').on(table.connection, table.accountId, table.chatwootContactId),
  ],
);

/**
 * A Chatwoot conversation (keyed by its display id, which is what Chatwoot's REST paths take) and
 * who owns it. `owner` and `episode` are written only through the ownership state machine.
 */
export const conversations = pgTable(
  'conversations',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    connection: text('connection').notNull(),
    accountId: integer('account_id').notNull(),
    chatwootConversationId: integer('chatwoot_conversation_id').notNull(),
    inboxId: integer('inbox_id').notNull(),
    contactId: bigint('contact_id', { mode: 'number' }).references(() => contacts.id, {
      onDelete: 'set null',
    }),
    status: text('status').notNull(),
    assigneeType: text('assignee_type'),
    assigneeId: integer('assignee_id'),
    teamId: integer('team_id'),
    labels: jsonb('labels')
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    owner: text('owner').notNull().default('bot'),
    ownerReason: text('owner_reason').notNull().default('new_conversation'),
    episode: integer('episode').notNull().default(1),
    botTurnsInEpisode: integer('bot_turns_in_episode').notNull().default(0),
    lastAnsweredMessageId: bigint('last_answered_message_id', { mode: 'number' }),
    firstUnansweredAt: timestamp('first_unanswered_at', { withTimezone: true }),
    /**
     * The reply queue lives on the conversation row (docs/decisions/2026-12-06-reply-queue-on-the-conversation.md).
     * `reply_due_at`: when the open burst should be answered (trailing debounce, capped by the max
     * wait); null when nothing waits. Ingress moves it with each customer message; a worker claims
     * the conversation once it is due, and the claim's release clears it unless customer messages
     * arrived during the run.
     */
    replyDueAt: timestamp('reply_due_at', { withTimezone: true, precision: 3 }),
    /** The worker's claim on the burst (a fencing token): one run per conversation at a time. */
    replyClaim: uuid('reply_claim'),
    /** Until when the claim holds; the worker refreshes it while it runs (a killed worker's claim lapses). */
    replyLeaseUntil: timestamp('reply_lease_until', { withTimezone: true, precision: 3 }),
    /** Claims of the current burst so far (retries back off; the burst is given up after a limit). */
    replyAttempts: integer('reply_attempts').notNull().default(0),
    /**
     * Whether a burst waits (reply_due_at set): the queue's index is on this, not on reply_due_at,
     * which every customer message moves. An update that changes no indexed value stays HOT (no
     * index writes); an index on reply_due_at made half of ingress's updates non-HOT (measured).
     */
    replyQueued: boolean('reply_queued').generatedAlwaysAs(sql`reply_due_at is not null`),
    chatwootUpdatedAt: timestamp('chatwoot_updated_at', { withTimezone: true, precision: 6 }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('conversations_chatwoot_key').on(
      table.connection,
      table.accountId,
      table.chatwootConversationId,
    ),
    // The reply queue: only conversations with a burst waiting (or being answered) are in it.
    index('conversations_reply_queue_idx')
      .on(table.id)
      .where(sql`reply_queued`),
  ],
);

/**
 * The transcript, built from webhooks (a bot token cannot list messages). `role` is who wrote it:
 * customer, bot, human, note (private), template (greeting / out-of-office).
 */
export const transcriptMessages = pgTable(
  'transcript_messages',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    conversationId: bigint('conversation_id', { mode: 'number' })
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    chatwootMessageId: bigint('chatwoot_message_id', { mode: 'number' }).notNull(),
    role: text('role').notNull(),
    content: text('content'),
    contentType: text('content_type').notNull().default('text'),
    isPrivate: boolean('is_private').notNull().default(false),
    senderType: text('sender_type'),
    senderId: integer('sender_id'),
    attachments: jsonb('attachments')
      .$type<unknown[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    episode: integer('episode').notNull(),
    sentAt: timestamp('sent_at', { withTimezone: true }).notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    // Also serves reads by conversation (its leading column); a second index on the same columns
    // only cost every ingress write.
    uniqueIndex('transcript_messages_chatwoot_key').on(table.conversationId, table.chatwootMessageId),
  ],
);

/** Every ownership decision, with its reason: the audit trail of who owned the conversation when. */
export const ownershipTransitions = pgTable(
  'ownership_transitions',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    conversationId: bigint('conversation_id', { mode: 'number' })
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    fromOwner: text('from_owner').notNull(),
    toOwner: text('to_owner').notNull(),
    episode: integer('episode').notNull(),
    event: text('event').notNull(),
    reason: text('reason').notNull(),
    deliveryId: bigint('delivery_id', { mode: 'number' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index('ownership_transitions_conversation_idx').on(table.conversationId, table.id)],
);
