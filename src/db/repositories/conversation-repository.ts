import { and, eq, sql } from 'drizzle-orm';

import type { Executor } from '../database.ts';
import { conversations } from '../schema/index.ts';

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
  };
}
export type ConversationRepository = ReturnType<typeof createConversationRepository>;
