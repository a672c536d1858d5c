import { and, asc, eq, sql } from 'drizzle-orm';

import type { Executor } from '../database.ts';
import { transcriptMessages } from '../schema/index.ts';

export type TranscriptRow = typeof transcriptMessages.$inferSelect;
export type NewTranscriptMessage = typeof transcriptMessages.$inferInsert;

export function createTranscriptRepository(db: Executor) {
  return {
    /** Idempotent on (conversation, Chatwoot message id); returns false when the message was already there. */
    async insert(message: NewTranscriptMessage, tx: Executor = db): Promise<boolean> {
      const rows = await tx
        .insert(transcriptMessages)
        .values(message)
        .onConflictDoNothing()
        .returning({ id: transcriptMessages.id });
      return rows.length > 0;
    },

    async listEpisode(conversationId: number, episode: number, tx: Executor = db): Promise<TranscriptRow[]> {
      return tx
        .select()
        .from(transcriptMessages)
        .where(
          and(eq(transcriptMessages.conversationId, conversationId), eq(transcriptMessages.episode, episode)),
        )
        .orderBy(asc(transcriptMessages.chatwootMessageId));
    },

    async listAll(conversationId: number, tx: Executor = db): Promise<TranscriptRow[]> {
      return tx
        .select()
        .from(transcriptMessages)
        .where(eq(transcriptMessages.conversationId, conversationId))
        .orderBy(asc(transcriptMessages.chatwootMessageId));
    },

    async countByRole(conversationId: number, role: string, tx: Executor = db): Promise<number> {
      const rows = await tx
        .select({ count: sql<number>`count(*)::int` })
        .from(transcriptMessages)
        .where(and(eq(transcriptMessages.conversationId, conversationId), eq(transcriptMessages.role, role)));
      return rows[0]?.count ?? 0;
    },
  };
}
export type TranscriptRepository = ReturnType<typeof createTranscriptRepository>;
