import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  unique,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

import { contacts, conversations } from './chatwoot.ts';

/**
 * Per-inbox agent settings, versioned: every change appends a row holding the scope's complete
 * override document (not a delta), so any version can be read or restored on its own. `inbox_id`
 * null is the connection-wide default that inbox overrides are merged onto.
 */
export const agentSettingsVersions = pgTable(
  'agent_settings_versions',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    connection: text('connection').notNull(),
    inboxId: integer('inbox_id'),
    version: integer('version').notNull(),
    overrides: jsonb('overrides').$type<Record<string, unknown>>().notNull(),
    patch: jsonb('patch').$type<Record<string, unknown>>().notNull(),
    author: text('author').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    unique('agent_settings_versions_scope_key')
      .on(table.connection, table.inboxId, table.version)
      .nullsNotDistinct(),
  ],
);

/** One passage the run retrieved, as recorded in the audit trail. */
export interface AgentRunPassage {
  readonly chunkId: number;
  readonly documentId: number;
  readonly kind: 'passage' | 'faq';
  readonly title: string;
  readonly url?: string;
  readonly score: number;
  readonly fullTextRank: number | null;
  readonly vectorDistance: number | null;
  /** Offline responder only: the documented match confidence (0..1). */
  readonly confidence?: number;
}

export interface AgentRunToolCall {
  readonly name: string;
  readonly args: unknown;
  readonly ok: boolean;
  readonly resultSummary: string;
  readonly durationMs: number;
}

/**
 * The audit trail: one row per responder run (LLM or offline, including `ask` from the terminal,
 * which has no conversation). Written by `recordAgentRun`; usage columns feed the budgets.
 */
export const agentRuns = pgTable(
  'agent_runs',
  {
    id: text('id').primaryKey(),
    conversationId: bigint('conversation_id', { mode: 'number' }).references(() => conversations.id, {
      onDelete: 'set null',
    }),
    connection: text('connection').notNull(),
    inboxId: integer('inbox_id'),
    contactId: bigint('contact_id', { mode: 'number' }).references(() => contacts.id, {
      onDelete: 'set null',
    }),
    episode: integer('episode'),
    source: text('source').notNull(),
    responder: text('responder').notNull(),
    answeredMessageIds: jsonb('answered_message_ids')
      .$type<number[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    globalSettingsVersion: integer('global_settings_version').notNull(),
    inboxSettingsVersion: integer('inbox_settings_version').notNull(),
    passages: jsonb('passages')
      .$type<AgentRunPassage[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    toolCalls: jsonb('tool_calls')
      .$type<AgentRunToolCall[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    output: jsonb('output').$type<Record<string, unknown>>().notNull(),
    decisionKind: text('decision_kind').notNull(),
    decisionReason: text('decision_reason').notNull(),
    isGrounded: boolean('is_grounded').notNull().default(false),
    provider: text('provider'),
    model: text('model'),
    inputTokens: integer('input_tokens').notNull().default(0),
    outputTokens: integer('output_tokens').notNull().default(0),
    costUsd: doublePrecision('cost_usd').notNull().default(0),
    latencyMs: integer('latency_ms').notNull(),
    error: text('error'),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    finishedAt: timestamp('finished_at', { withTimezone: true }).notNull(),
  },
  (table) => [
    index('agent_runs_conversation_idx').on(table.conversationId, table.episode, table.startedAt),
    index('agent_runs_inbox_day_idx').on(table.connection, table.inboxId, table.startedAt),
  ],
);

/** Durable facts about a contact ("prefers Portuguese", "order #123 was damaged"), one per row. */
export const contactFacts = pgTable(
  'contact_facts',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    contactId: bigint('contact_id', { mode: 'number' })
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    fact: text('fact').notNull(),
    category: text('category').notNull(),
    conversationId: bigint('conversation_id', { mode: 'number' }).references(() => conversations.id, {
      onDelete: 'set null',
    }),
    runId: text('run_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [uniqueIndex('contact_facts_fact_key').on(table.contactId, table.fact)],
);

/** A short summary of each resolved episode, so a returning contact need not repeat themselves. */
export const contactEpisodeSummaries = pgTable(
  'contact_episode_summaries',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    contactId: bigint('contact_id', { mode: 'number' })
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    conversationId: bigint('conversation_id', { mode: 'number' }).references(() => conversations.id, {
      onDelete: 'set null',
    }),
    episode: integer('episode').notNull(),
    summary: text('summary').notNull(),
    method: text('method').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('contact_episode_summaries_episode_key').on(table.conversationId, table.episode),
    index('contact_episode_summaries_contact_idx').on(table.contactId, table.createdAt),
  ],
);
