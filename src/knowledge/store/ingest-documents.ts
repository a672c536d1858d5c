import { sql } from 'drizzle-orm';

import type { Database } from '../../db/database.ts';
import { coerceError } from '../../errors/coerce-error.ts';
import type { Logger } from '../../logging/create-logger.ts';
import { chunkDocument, type ChunkOptions } from '../chunk/chunk-document.ts';
import { embedPendingChunks } from '../embed/embed-pending-chunks.ts';
import type { KnowledgeEmbedder } from '../embed/knowledge-embedder.ts';
import type { ExtractedDocument } from '../extracted-document.ts';
import { prepareChunks, prepareDocument } from './prepare-document.ts';
import { queryRows } from '../../db/query-rows.ts';
import { refreshLexemeStats } from './refresh-lexeme-stats.ts';
import { removeDocumentsNotIn } from './remove-documents-not-in.ts';
import { writeDocumentChunks } from './write-document-chunks.ts';

export interface IngestDeps {
  readonly db: Database;
  /** Absent: documents are searchable by full text only. */
  readonly embedder?: KnowledgeEmbedder;
  readonly logger?: Logger;
}

export type IngestPhase = 'documents' | 'embeddings' | 'statistics' | 'done';

export interface IngestProgress {
  readonly phase: IngestPhase;
  readonly done: number;
  /** Unknown while documents are still streaming in. */
  readonly total: number | undefined;
}

export interface IngestDocumentsInput {
  readonly sourceId: number;
  readonly documents: Iterable<ExtractedDocument> | AsyncIterable<ExtractedDocument>;
  /** A complete listing of the source: its documents missing from `documents` are removed (default true). */
  readonly isComplete?: boolean;
  readonly chunkOptions?: ChunkOptions;
  readonly onProgress?: (progress: IngestProgress) => void;
  readonly signal?: AbortSignal;
}

export interface IngestFailure {
  readonly sourceUri: string;
  readonly error: Error;
}

export interface IngestResult {
  readonly added: number;
  readonly updated: number;
  readonly unchanged: number;
  readonly removed: number;
  readonly failed: readonly IngestFailure[];
  readonly documentCount: number;
  readonly chunksInserted: number;
  readonly chunksRemoved: number;
  /** Texts sent to the embedding provider; 0 without one. */
  readonly chunksEmbedded: number;
  readonly chunksFromEmbeddingCache: number;
}

/**
 * Stores a source's documents: a document whose content hash is unchanged is skipped, a changed one
 * is re-chunked with only its changed passages rewritten, and (for a complete listing) documents
 * that disappeared are deleted. Then new passages are embedded (when an embedder is configured) and
 * the lexeme statistics refreshed. A document that fails is reported and keeps its previous version.
 */
export async function ingestDocuments(deps: IngestDeps, input: IngestDocumentsInput): Promise<IngestResult> {
  const { db } = deps;
  const chunkerKey = JSON.stringify(input.chunkOptions ?? {});
  const total = Array.isArray(input.documents) ? input.documents.length : undefined;
  const seen = new Set<string>();
  const failed: IngestFailure[] = [];
  let added = 0;
  let updated = 0;
  let unchanged = 0;
  let chunksInserted = 0;
  let chunksRemoved = 0;

  for await (const document of input.documents) {
    input.signal?.throwIfAborted();
    if (seen.has(document.sourceUri)) {
      failed.push({
        sourceUri: document.sourceUri,
        error: new Error('duplicate source URI in one sync; kept the first'),
      });
      continue;
    }
    seen.add(document.sourceUri);
    try {
      const prepared = prepareDocument(document, chunkerKey);
      const outcome = await db.transaction(async (tx) => {
        const [current] = await tx.query.knowledgeDocuments.findMany({
          columns: { contentHash: true },
          where: (table, { and, eq }) =>
            and(eq(table.sourceId, input.sourceId), eq(table.sourceUri, document.sourceUri)),
          limit: 1,
        });
        if (current?.contentHash === prepared.contentHash) return 'unchanged' as const;
        const chunks = prepareChunks(document, prepared, chunkDocument(document, input.chunkOptions));
        const written = await writeDocumentChunks(tx, input.sourceId, document, prepared, chunks);
        chunksInserted += written.chunksInserted;
        chunksRemoved += written.chunksRemoved;
        return current ? ('updated' as const) : ('added' as const);
      });
      if (outcome === 'unchanged') unchanged += 1;
      else if (outcome === 'updated') updated += 1;
      else added += 1;
    } catch (thrown) {
      const error = coerceError(thrown);
      deps.logger?.warn(
        { sourceId: input.sourceId, sourceUri: document.sourceUri, err: error },
        'knowledge document not ingested',
      );
      failed.push({ sourceUri: document.sourceUri, error });
    }
    input.onProgress?.({ phase: 'documents', done: seen.size, total });
  }

  const removal =
    (input.isComplete ?? true)
      ? await removeDocumentsNotIn(db, input.sourceId, [...seen])
      : { documents: 0, chunks: 0 };
  chunksRemoved += removal.chunks;

  let chunksEmbedded = 0;
  let chunksFromEmbeddingCache = 0;
  if (deps.embedder) {
    const embedding = await embedPendingChunks(
      { db, embedder: deps.embedder, ...(deps.logger ? { logger: deps.logger } : {}) },
      {
        sourceId: input.sourceId,
        ...(input.signal ? { signal: input.signal } : {}),
        onProgress: (progress) =>
          input.onProgress?.({ phase: 'embeddings', done: progress.embedded, total: progress.total }),
      },
    );
    chunksEmbedded = embedding.embedded;
    chunksFromEmbeddingCache = embedding.fromCache;
  }

  if (chunksInserted > 0 || chunksRemoved > 0) {
    input.onProgress?.({ phase: 'statistics', done: 0, total: 1 });
    await refreshLexemeStats(db);
    // PGlite has no autovacuum: without fresh statistics the planner misjudges the search query.
    await db.execute(sql`analyze knowledge_documents, knowledge_chunks, knowledge_chunk_embeddings`);
  }
  const documentCount = await countDocuments(db, input.sourceId);
  input.onProgress?.({ phase: 'done', done: seen.size, total: seen.size });
  return {
    added,
    updated,
    unchanged,
    removed: removal.documents,
    failed,
    documentCount,
    chunksInserted,
    chunksRemoved,
    chunksEmbedded,
    chunksFromEmbeddingCache,
  };
}

async function countDocuments(db: Database, sourceId: number): Promise<number> {
  const [row] = await queryRows<{ count: number }>(
    db,
    sql`select count(*)::int as count from knowledge_documents where source_id = ${sourceId}`,
  );
  return row?.count ?? 0;
}
