import { and, asc, eq, inArray, sql } from 'drizzle-orm';

import type { Executor } from '../database.ts';
import { outboundMessages, replyDecisions } from '../schema/index.ts';

export type OutboundMessageRow = typeof outboundMessages.$inferSelect;
export type NewOutboundMessage = typeof outboundMessages.$inferInsert;
export type NewReplyDecision = typeof replyDecisions.$inferInsert;

/** Statuses whose message may still need posting. */
export const UNSETTLED_STATUSES = ['pending', 'sending'] as const;

export function createOutboxRepository(db: Executor) {
  return {
    async recordDecision(decision: NewReplyDecision, tx: Executor = db): Promise<number> {
      const rows = await tx.insert(replyDecisions).values(decision).returning({ id: replyDecisions.id });
      return rows[0]!.id;
    },

    async listDecisions(conversationId: number, tx: Executor = db) {
      return tx
        .select()
        .from(replyDecisions)
        .where(eq(replyDecisions.conversationId, conversationId))
        .orderBy(asc(replyDecisions.id));
    },

    async enqueue(messages: readonly NewOutboundMessage[], tx: Executor = db): Promise<void> {
      if (messages.length > 0) await tx.insert(outboundMessages).values([...messages]);
    },

    async listUnsettled(conversationId: number, tx: Executor = db): Promise<OutboundMessageRow[]> {
      return tx
        .select()
        .from(outboundMessages)
        .where(
          and(
            eq(outboundMessages.conversationId, conversationId),
            inArray(outboundMessages.status, [...UNSETTLED_STATUSES]),
          ),
        )
        .orderBy(asc(outboundMessages.id));
    },

    async listByConversation(conversationId: number, tx: Executor = db): Promise<OutboundMessageRow[]> {
      return tx
        .select()
        .from(outboundMessages)
        .where(eq(outboundMessages.conversationId, conversationId))
        .orderBy(asc(outboundMessages.id));
    },

    /** Marks the attempt before the request leaves, so a crash mid-request leaves `sending` behind for reconciliation. */
    async markSending(id: number, now: Date, tx: Executor = db): Promise<void> {
      await tx
        .update(outboundMessages)
        .set({ status: 'sending', attempts: sql`${outboundMessages.attempts} + 1`, lastAttemptAt: now })
        .where(eq(outboundMessages.id, id));
    },

    async markSent(
      id: number,
      chatwootMessageId: number | null,
      now: Date,
      tx: Executor = db,
    ): Promise<void> {
      await tx
        .update(outboundMessages)
        .set({ status: 'sent', chatwootMessageId, sentAt: now, lastError: null })
        .where(eq(outboundMessages.id, id));
    },

    async markPending(id: number, error: string, tx: Executor = db): Promise<void> {
      await tx
        .update(outboundMessages)
        .set({ status: 'pending', lastError: error })
        .where(eq(outboundMessages.id, id));
    },

    async markFailed(id: number, error: string, tx: Executor = db): Promise<void> {
      await tx
        .update(outboundMessages)
        .set({ status: 'failed', lastError: error })
        .where(eq(outboundMessages.id, id));
    },

    /** Drops every unsent public reply of a conversation (a human took over); returns how many. */
    async cancelUnsentReplies(conversationId: number, reason: string, tx: Executor = db): Promise<number> {
      const rows = await tx
        .update(outboundMessages)
        .set({ status: 'cancelled', lastError: reason })
        .where(
          and(
            eq(outboundMessages.conversationId, conversationId),
            eq(outboundMessages.kind, 'reply'),
            inArray(outboundMessages.status, [...UNSETTLED_STATUSES]),
          ),
        )
        .returning({ id: outboundMessages.id });
      return rows.length;
    },
  };
}
export type OutboxRepository = ReturnType<typeof createOutboxRepository>;
