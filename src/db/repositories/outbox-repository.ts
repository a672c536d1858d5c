import { and, asc, eq, inArray, sql } from 'drizzle-orm';

import type { Executor } from '../database.ts';
import { outboundMessages, replyDecisions } from '../schema/index.ts';

export type OutboundMessageRow = typeof outboundMessages.$inferSelect;
export type NewOutboundMessage = typeof outboundMessages.$inferInsert;
export type NewReplyDecision = typeof replyDecisions.$inferInsert;
/** An effect of a decision before the decision has an id. */
export type EffectDraft = Pick<
  NewOutboundMessage,
  'conversationId' | 'episode' | 'kind' | 'content' | 'isPrivate'
> & {
  readonly sequence: number;
};

/** Each outbound row's echo id is unique and derived from its decision, so a send is idempotent. */
export function echoIdOf(decisionId: number, sequence: number): string {
  return `cwa-${decisionId}-${sequence}`;
}

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

    /** Whether the row still waits to be posted (not sent, failed or cancelled meanwhile). */
    async isUnsettled(id: number, tx: Executor = db): Promise<boolean> {
      const rows = await tx
        .select({ id: outboundMessages.id })
        .from(outboundMessages)
        .where(and(eq(outboundMessages.id, id), inArray(outboundMessages.status, [...UNSETTLED_STATUSES])));
      return rows.length > 0;
    },

    /**
     * The unsettled rows in order, each saying whether its decision was a handoff (it has a
     * handoff note): labels and priority that come with a handoff are posted without the bot
     * owning the conversation.
     */
    async listUnsettledForDelivery(
      conversationId: number,
      tx: Executor = db,
    ): Promise<Array<{ row: OutboundMessageRow; ofHandoff: boolean }>> {
      return tx
        .select({
          row: outboundMessages,
          // The outer columns are spelled out: drizzle renders a one-table selection's columns
          // unqualified, and inside the subquery those would name the handoff note's own.
          ofHandoff: sql<boolean>`exists (select 1 from ${outboundMessages} as handoff_note
            where handoff_note.conversation_id = outbound_messages.conversation_id
              and handoff_note.decision_id = outbound_messages.decision_id
              and handoff_note.kind = 'handoff_note')`,
        })
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

    /**
     * Marks the attempt before the request leaves, so a crash mid-request leaves `sending` behind
     * for reconciliation — only while the row is still unsettled: false when something settled it
     * in the meantime (a takeover cancelled the reply), and then nothing may be posted.
     */
    async markSending(id: number, now: Date, tx: Executor = db): Promise<boolean> {
      const rows = await tx
        .update(outboundMessages)
        .set({ status: 'sending', attempts: sql`${outboundMessages.attempts} + 1`, lastAttemptAt: now })
        .where(and(eq(outboundMessages.id, id), inArray(outboundMessages.status, [...UNSETTLED_STATUSES])))
        .returning({ id: outboundMessages.id });
      return rows.length > 0;
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
