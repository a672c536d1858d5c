import { sql } from 'drizzle-orm';

import { dropOtherEmbeddingIndexes } from './embedding-index.ts';
import {
  embedPendingChunks,
  type EmbedPendingChunksDeps,
  type EmbedPendingChunksResult,
} from './embed-pending-chunks.ts';

export interface ReembedAllInput {
  /** Recompute this model's vectors too (the provider changed the model behind the same name). */
  readonly force?: boolean;
  /** Delete other models' vectors and indexes once this one is complete (default true). */
  readonly dropOtherModels?: boolean;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: { readonly embedded: number; readonly total: number }) => void;
}

export interface ReembedAllResult extends EmbedPendingChunksResult {
  readonly droppedIndexes: readonly string[];
}

/**
 * Switches the knowledge base to the embedder's model: embeds every chunk with it, then removes
 * the old model's vectors. Search keeps using whichever model it is configured with, so run this
 * before (or right after) changing EMBEDDING_MODEL.
 */
export async function reembedAll(
  deps: EmbedPendingChunksDeps,
  input: ReembedAllInput = {},
): Promise<ReembedAllResult> {
  if (input.force) {
    await deps.db.execute(sql`delete from knowledge_chunk_embeddings where model = ${deps.embedder.key}`);
  }
  const result = await embedPendingChunks(deps, {
    ...(input.signal ? { signal: input.signal } : {}),
    ...(input.onProgress ? { onProgress: input.onProgress } : {}),
  });
  let droppedIndexes: string[] = [];
  if (input.dropOtherModels ?? true) {
    droppedIndexes = await dropOtherEmbeddingIndexes(deps.db, result.indexName);
    await deps.db.execute(sql`delete from knowledge_chunk_embeddings where model <> ${deps.embedder.key}`);
  }
  return { ...result, droppedIndexes };
}
