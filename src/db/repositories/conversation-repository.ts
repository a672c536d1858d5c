import { and, eq, sql } from 'drizzle-orm';

import type { Executor } from '../database.ts';
import { conversations, ownershipTransitions } from '../schema/index.ts';

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
    /**
     * Returns the conversation row locked FOR UPDATE (so concurrent events for one conversation
     * apply in turn), or null when we have never seen it. Must run inside a transaction.
     */
    async lockByKey(key: ConversationKey, tx: Executor): Promise<ConversationRow | null> {
      const rows = await tx
        .select()
        .from(conversations)
        .where(
          and(
            eq(conversations.connection, key.connection),
            eq(conversations.accountId, key.accountId),
            eq(conversations.chatwootConversationId, key.chatwootConversationId),
          ),
        )
        .for('update');
      return rows[0] ?? null;
    },

    async lockById(id: number, tx: Executor): Promise<ConversationRow | null> {
      const rows = await tx.select().from(conversations).where(eq(conversations.id, id)).for('update');
      return rows[0] ?? null;
    },

    /** Inserts a new conversation; on a concurrent insert of the same key, returns the locked existing row. */
    async insertOrLock(
      values: typeof conversations.$inferInsert,
      tx: Executor,
    ): Promise<{ row: ConversationRow; created: boolean }> {
      const inserted = await tx.insert(conversations).values(values).onConflictDoNothing().returning();
      if (inserted[0]) return { row: inserted[0], created: true };
      const existing = await this.lockByKey(values, tx);
      return { row: existing!, created: false };
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

    async listTransitions(conversationId: number, tx: Executor = db) {
      return tx
        .select()
        .from(ownershipTransitions)
        .where(eq(ownershipTransitions.conversationId, conversationId))
        .orderBy(ownershipTransitions.id);
    },
  };
}
export type ConversationRepository = ReturnType<typeof createConversationRepository>;
