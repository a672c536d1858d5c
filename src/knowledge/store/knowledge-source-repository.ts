import { desc, eq, sql } from 'drizzle-orm';

import type { Executor } from '../../db/database.ts';
import { knowledgeSources, type KnowledgeSourceKind } from '../../db/schema/knowledge.ts';

export type KnowledgeSource = typeof knowledgeSources.$inferSelect;

export interface NewKnowledgeSource {
  readonly kind: KnowledgeSourceKind;
  readonly location: string;
  readonly name?: string;
  /** Inboxes allowed to use it; omitted or null for every inbox. */
  readonly inboxIds?: readonly number[] | null;
  readonly options?: Record<string, unknown>;
  readonly schedule?: string | null;
}

export type KnowledgeSourceChanges = Partial<
  Pick<NewKnowledgeSource, 'name' | 'inboxIds' | 'options' | 'schedule'>
>;

/** Named queries over `knowledge_sources`; every method accepts the database or a transaction. */
export function createKnowledgeSourceRepository(db: Executor) {
  return {
    async create(input: NewKnowledgeSource, tx: Executor = db): Promise<KnowledgeSource> {
      const [row] = await tx
        .insert(knowledgeSources)
        .values({
          kind: input.kind,
          location: input.location,
          name: input.name ?? null,
          inboxIds: input.inboxIds ? [...input.inboxIds] : null,
          options: input.options ?? {},
          schedule: input.schedule ?? null,
        })
        .returning();
      return row!;
    },

    async findById(id: number, tx: Executor = db): Promise<KnowledgeSource | null> {
      const [row] = await tx.select().from(knowledgeSources).where(eq(knowledgeSources.id, id));
      return row ?? null;
    },

    async list(tx: Executor = db): Promise<KnowledgeSource[]> {
      return tx
        .select()
        .from(knowledgeSources)
        .orderBy(desc(knowledgeSources.createdAt), desc(knowledgeSources.id));
    },

    async update(
      id: number,
      changes: KnowledgeSourceChanges,
      tx: Executor = db,
    ): Promise<KnowledgeSource | null> {
      const [row] = await tx
        .update(knowledgeSources)
        .set({
          ...(changes.name !== undefined ? { name: changes.name } : {}),
          ...(changes.inboxIds !== undefined
            ? { inboxIds: changes.inboxIds ? [...changes.inboxIds] : null }
            : {}),
          ...(changes.options !== undefined ? { options: changes.options } : {}),
          ...(changes.schedule !== undefined ? { schedule: changes.schedule } : {}),
          updatedAt: sql`now()`,
        })
        .where(eq(knowledgeSources.id, id))
        .returning();
      return row ?? null;
    },

    async markSyncing(id: number, tx: Executor = db): Promise<void> {
      await tx
        .update(knowledgeSources)
        .set({ status: 'syncing', updatedAt: sql`now()` })
        .where(eq(knowledgeSources.id, id));
    },

    async markSynced(
      id: number,
      documentCount: number,
      lastError: string | null,
      tx: Executor = db,
    ): Promise<void> {
      await tx
        .update(knowledgeSources)
        .set({ status: 'ready', documentCount, lastError, lastSyncedAt: sql`now()`, updatedAt: sql`now()` })
        .where(eq(knowledgeSources.id, id));
    },

    async markFailed(id: number, error: string, tx: Executor = db): Promise<void> {
      await tx
        .update(knowledgeSources)
        .set({ status: 'error', lastError: error, updatedAt: sql`now()` })
        .where(eq(knowledgeSources.id, id));
    },

    /** Deletes the source with its documents, chunks and vectors (cascade); false when absent. */
    async remove(id: number, tx: Executor = db): Promise<boolean> {
      const rows = await tx
        .delete(knowledgeSources)
        .where(eq(knowledgeSources.id, id))
        .returning({ id: knowledgeSources.id });
      return rows.length > 0;
    },
  };
}

export type KnowledgeSourceRepository = ReturnType<typeof createKnowledgeSourceRepository>;
