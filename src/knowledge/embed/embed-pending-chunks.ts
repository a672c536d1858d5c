import { sql } from 'drizzle-orm';

import type { Database } from '../../db/database.ts';
import type { Logger } from '../../logging/create-logger.ts';
import { queryRows } from '../../db/query-rows.ts';
import { ensureEmbeddingIndex } from './embedding-index.ts';
import type { KnowledgeEmbedder } from './knowledge-embedder.ts';

export interface EmbedPendingChunksDeps {
  readonly db: Database;
  readonly embedder: KnowledgeEmbedder;
  readonly logger?: Logger;
}

export interface EmbedPendingChunksInput {
  /** Only this source's chunks (a sync); every chunk when absent (a model switch). */
  readonly sourceId?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: { readonly embedded: number; readonly total: number }) => void;
}

export interface EmbedPendingChunksResult {
  /** Chunks whose text already had a vector for this model (another chunk, an earlier sync). */
  readonly fromCache: number;
  /** Distinct texts sent to the provider. */
  readonly embedded: number;
  readonly indexName: string;
}

interface PendingChunk {
  readonly id: string | number;
  readonly content_hash: string;
  readonly content: string;
}

/**
 * Gives every chunk lacking one a vector for the embedder's model. Texts already embedded by this
 * model (same content hash) are copied rather than sent again, so a re-sync only pays for new text;
 * an interrupted run resumes where it stopped.
 */
export async function embedPendingChunks(
  deps: EmbedPendingChunksDeps,
  input: EmbedPendingChunksInput = {},
): Promise<EmbedPendingChunksResult> {
  const { db, embedder } = deps;
  const sourceFilter = input.sourceId === undefined ? sql`true` : sql`d.source_id = ${input.sourceId}`;
  const pending = sql`not exists (select 1 from knowledge_chunk_embeddings x where x.chunk_id = c.id and x.model = ${embedder.key})`;

  const copied = await queryRows<{ chunk_id: string }>(
    db,
    sql`insert into knowledge_chunk_embeddings (chunk_id, model, dimensions, content_hash, embedding)
        select distinct on (c.id) c.id, e.model, e.dimensions, e.content_hash, e.embedding
        from knowledge_chunks c
        join knowledge_documents d on d.id = c.document_id
        join knowledge_chunk_embeddings e on e.model = ${embedder.key} and e.content_hash = c.content_hash
        where ${sourceFilter} and ${pending}
        on conflict do nothing
        returning chunk_id`,
  );
  const [{ total = 0 } = {}] = await queryRows<{ total: number }>(
    db,
    sql`select count(*)::int as total from knowledge_chunks c join knowledge_documents d on d.id = c.document_id where ${sourceFilter} and ${pending}`,
  );

  let fromCache = copied.length;
  let embedded = 0;
  let done = 0;
  let afterId = 0;
  for (;;) {
    input.signal?.throwIfAborted();
    const batch = await queryRows<PendingChunk>(
      db,
      sql`select c.id, c.content_hash, c.content
          from knowledge_chunks c join knowledge_documents d on d.id = c.document_id
          where c.id > ${afterId} and ${sourceFilter} and ${pending}
          order by c.id limit ${embedder.batchSize}`,
    );
    if (batch.length === 0) break;
    afterId = Number(batch.at(-1)!.id);
    const textsByHash = new Map<string, string>();
    for (const chunk of batch) {
      // Passages start with their title and heading path (the chunker's context line), so the text
      // embeds with its context.
      textsByHash.set(chunk.content_hash, chunk.content);
    }
    // Texts embedded by an earlier batch of this run (duplicated passages) are cached by now.
    const cached = await queryRows<{ content_hash: string; embedding: string }>(
      db,
      sql`select distinct on (content_hash) content_hash, embedding::text as embedding from knowledge_chunk_embeddings
          where model = ${embedder.key} and content_hash = any(${sql.param([...textsByHash.keys()])}::text[])`,
    );
    const vectorByHash = new Map(cached.map((row) => [row.content_hash, row.embedding]));
    fromCache += batch.filter((chunk) => vectorByHash.has(chunk.content_hash)).length;
    const missing = [...textsByHash].filter(([hash]) => !vectorByHash.has(hash));
    const vectors = await embedder.embed(
      missing.map(([, text]) => text),
      input.signal,
    );
    missing.forEach(([hash], position) => vectorByHash.set(hash, `[${vectors[position]!.join(',')}]`));
    const rows = batch.map((chunk) => ({
      chunk_id: Number(chunk.id),
      content_hash: chunk.content_hash,
      embedding: vectorByHash.get(chunk.content_hash)!,
    }));
    await db.execute(
      sql`insert into knowledge_chunk_embeddings (chunk_id, model, dimensions, content_hash, embedding)
          select x.chunk_id, ${embedder.key}, ${embedder.dimensions}, x.content_hash, x.embedding::vector
          from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(chunk_id bigint, content_hash text, embedding text)
          where exists (select 1 from knowledge_chunks c where c.id = x.chunk_id)
          on conflict do nothing`,
    );
    embedded += missing.length;
    done += batch.length;
    input.onProgress?.({ embedded: done, total });
  }

  const indexName = await ensureEmbeddingIndex(db, embedder.key, embedder.dimensions);
  deps.logger?.debug({ model: embedder.key, fromCache, embedded }, 'knowledge chunks embedded');
  return { fromCache, embedded, indexName };
}
