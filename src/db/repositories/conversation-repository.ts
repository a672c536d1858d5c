import { and, asc, eq, getTableColumns, gt, sql } from 'drizzle-orm';

import type { Executor } from '../database.ts';
import {
  conversations,
  outboundMessages,
  ownershipTransitions,
  transcriptMessages,
} from '../schema/index.ts';
import { UNSETTLED_STATUSES } from './outbox-repository.ts';

export type ConversationRow = typeof conversations.$inferSelect;
export type ConversationUpdate = Partial<
  Pick<
    ConversationRow,
    | 'status'
    | 'assigneeType'
    | 'assigneeId'
    | 'teamId'
    | 'labels'
    | 'owner'
    | 'ownerReason'
    | 'episode'
    | 'botTurnsInEpisode'
    | 'lastAnsweredMessageId'
    | 'firstUnansweredAt'
    | 'chatwootUpdatedAt'
    | 'contactId'
    | 'inboxId'
  >
>;

export interface ConversationKey {
  readonly connection: string;
  readonly accountId: number;
  readonly chatwootConversationId: number;
}

export function createConversationRepository(db: Executor) {
  return {
    /** The conversation row locked FOR UPDATE (must run inside a transaction), or null. */
    async lockById(id: number, tx: Executor): Promise<ConversationRow | null> {
      const rows = await tx.select().from(conversations).where(eq(conversations.id, id)).for('update');
      return rows[0] ?? null;
    },

    /**
     * Locks the row FOR UPDATE in a statement of its own (outside a transaction the lock is held
     * only while the statement runs: it waits for any transaction that holds the row) and says
     * whether the conversation has unsettled outbox rows. Only reply jobs of this conversation,
     * which never run two at once, add outbox rows, so the statement's snapshot sees them all.
     */
    async lockForClaim(
      id: number,
    ): Promise<{ conversation: ConversationRow; hasUnsettledOutbox: boolean } | null> {
      const rows = await db
        .select({
          conversation: getTableColumns(conversations),
          // Columns spelled out: drizzle renders a one-table selection's columns unqualified.
          hasUnsettledOutbox: sql<boolean>`exists (select 1 from ${outboundMessages} o
            where o.conversation_id = conversations.id
              and o.status in (${sql.join(
                UNSETTLED_STATUSES.map((status) => sql`${status}`),
                sql`, `,
              )}))`,
        })
        .from(conversations)
        .where(eq(conversations.id, id))
        .for('update', { of: conversations });
      return rows[0] ?? null;
    },

    /**
     * Records that a reply answered the episode's customer messages up to `lastAnsweredMessageId`
     * (plus the changes a decision brings) and recomputes when the oldest still unanswered one
     * arrived. Run under the row lock: the statement then sees every message committed before it.
     */
    async markAnswered(
      id: number,
      input: { episode: number; lastAnsweredMessageId: number; changes: ConversationUpdate },
      tx: Executor = db,
    ): Promise<void> {
      const firstUnanswered = tx
        .select({ receivedAt: transcriptMessages.receivedAt })
        .from(transcriptMessages)
        .where(
          and(
            eq(transcriptMessages.conversationId, id),
            eq(transcriptMessages.episode, input.episode),
            eq(transcriptMessages.role, 'customer'),
            gt(transcriptMessages.chatwootMessageId, input.lastAnsweredMessageId),
          ),
        )
        .orderBy(asc(transcriptMessages.chatwootMessageId))
        .limit(1);
      await tx
        .update(conversations)
        .set({
          ...input.changes,
          lastAnsweredMessageId: input.lastAnsweredMessageId,
          firstUnansweredAt: sql`(${firstUnanswered})`,
          updatedAt: sql`now()`,
        })
        .where(eq(conversations.id, id));
    },

    async update(id: number, changes: ConversationUpdate, tx: Executor = db): Promise<void> {
      await tx
        .update(conversations)
        .set({ ...changes, updatedAt: sql`now()` })
        .where(eq(conversations.id, id));
    },

    async findById(id: number, tx: Executor = db): Promise<ConversationRow | null> {
      const rows = await tx.select().from(conversations).where(eq(conversations.id, id));
      return rows[0] ?? null;
    },

    async findByKey(key: ConversationKey, tx: Executor = db): Promise<ConversationRow | null> {
      const rows = await tx
        .select()
        .from(conversations)
        .where(
          and(
            eq(conversations.connection, key.connection),
            eq(conversations.accountId, key.accountId),
            eq(conversations.chatwootConversationId, key.chatwootConversationId),
          ),
        );
      return rows[0] ?? null;
    },

    async recordTransition(
      transition: typeof ownershipTransitions.$inferInsert,
      tx: Executor = db,
    ): Promise<void> {
      await tx.insert(ownershipTransitions).values(transition);
    },
  };
}
export type ConversationRepository = ReturnType<typeof createConversationRepository>;
