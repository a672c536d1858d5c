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
} from 'drizzle-orm/pg-core';

import { conversations } from './chatwoot.ts';

/**
 * The outbox: every message the bot will post is written here BEFORE it is posted, with a unique
 * echo id. A retry or a restarted worker finds the row and either reconciles it (Chatwoot already
 * has it) or posts it — never a second copy. Status: pending → sending → sent | cancelled | failed.
 */
export const outboundMessages = pgTable(
  'outbound_messages',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    conversationId: bigint('conversation_id', { mode: 'number' })
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    decisionId: bigint('decision_id', { mode: 'number' }).notNull(),
    episode: integer('episode').notNull(),
    sequence: integer('sequence').notNull(),
    kind: text('kind').notNull(),
    content: text('content').notNull(),
    isPrivate: boolean('is_private').notNull().default(false),
    echoId: text('echo_id').notNull(),
    status: text('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    chatwootMessageId: bigint('chatwoot_message_id', { mode: 'number' }),
    lastError: text('last_error'),
    lastAttemptAt: timestamp('last_attempt_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (table) => [
    uniqueIndex('outbound_messages_echo_id_key').on(table.echoId),
    index('outbound_messages_conversation_status_idx').on(table.conversationId, table.status),
  ],
);

/**
 * Every decision the pipeline took for a burst — replied, handed off, stayed silent, dropped
 * because a human took over, skipped — with its reason and the messages it answered.
 */
export const replyDecisions = pgTable(
  'reply_decisions',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    conversationId: bigint('conversation_id', { mode: 'number' })
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    episode: integer('episode').notNull(),
    decision: text('decision').notNull(),
    reason: text('reason').notNull(),
    answeredMessageIds: jsonb('answered_message_ids').$type<number[]>().notNull(),
    runId: text('run_id'),
    jobId: text('job_id'),
    actions: jsonb('actions').$type<unknown[]>().notNull().default([]),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index('reply_decisions_conversation_idx').on(table.conversationId, table.id)],
);
