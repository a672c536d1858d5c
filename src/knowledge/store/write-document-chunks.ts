import { sql } from 'drizzle-orm';

import type { Executor } from '../../db/database.ts';
import type { ExtractedDocument } from '../extracted-document.ts';
import { planChunkChanges } from './plan-chunk-changes.ts';
import type { PreparedChunk, PreparedDocument } from './prepare-document.ts';
import { queryRows } from '../../db/query-rows.ts';

export interface WriteDocumentResult {
  readonly documentId: number;
  readonly chunksInserted: number;
  readonly chunksRemoved: number;
}

/**
 * Upserts one document and brings its chunks in line with `chunks`: unchanged passages keep their
 * rows (and vectors), changed ones are replaced. The full-text vector is built here, in SQL, from
 * unaccented text in the chunk's configuration plus `simple` (title and headings weighted A/C, body B/D).
 * Run inside a transaction.
 */
export async function writeDocumentChunks(
  tx: Executor,
  sourceId: number,
  document: ExtractedDocument,
  prepared: PreparedDocument,
  chunks: readonly PreparedChunk[],
): Promise<WriteDocumentResult> {
  const [row] = await queryRows<{ id: string | number }>(
    tx,
    sql`insert into knowledge_documents (source_id, source_uri, title, url, format, language, content_hash, chunk_count)
        values (${sourceId}, ${document.sourceUri}, ${document.title}, ${document.url ?? null}, ${document.format},
                ${prepared.language}, ${prepared.contentHash}, ${chunks.length})
        on conflict (source_id, source_uri) do update set
          title = excluded.title, url = excluded.url, format = excluded.format, language = excluded.language,
          content_hash = excluded.content_hash, chunk_count = excluded.chunk_count, updated_at = now()
        returning id`,
  );
  const documentId = Number(row!.id);

  const existing = await queryRows<{
    id: string | number;
    chunk_index: number;
    content_hash: string;
    regconfig: string;
  }>(
    tx,
    sql`select id, chunk_index, content_hash, regconfig from knowledge_chunks where document_id = ${documentId}`,
  );
  // A passage whose language changed needs a new full-text vector, so the configuration is part of the key.
  const plan = planChunkChanges(
    existing.map((chunk) => ({
      id: Number(chunk.id),
      chunkIndex: chunk.chunk_index,
      contentHash: `${chunk.content_hash}|${chunk.regconfig}`,
    })),
    chunks.map((chunk) => ({
      chunk,
      chunkIndex: chunk.index,
      contentHash: `${chunk.contentHash}|${chunk.regconfig}`,
    })),
  );

  if (plan.remove.length > 0) {
    await tx.execute(sql`delete from knowledge_chunks where id = any(${sql.param(plan.remove)}::bigint[])`);
  }
  const moved = plan.keep.filter(
    (kept) => existing.find((chunk) => Number(chunk.id) === kept.id)?.chunk_index !== kept.chunkIndex,
  );
  if (moved.length > 0) {
    await tx.execute(
      sql`update knowledge_chunks c set chunk_index = m.chunk_index
          from jsonb_to_recordset(${JSON.stringify(moved.map((kept) => ({ id: kept.id, chunk_index: kept.chunkIndex })))}::jsonb)
            as m(id bigint, chunk_index int)
          where c.id = m.id`,
    );
  }
  if (plan.insert.length > 0) {
    const rows = plan.insert.map(({ chunk }) => ({
      chunk_index: chunk.index,
      content: chunk.content,
      heading_path: chunk.headingPath,
      kind: chunk.kind,
      language: chunk.language,
      regconfig: chunk.regconfig,
      content_hash: chunk.contentHash,
      token_count: chunk.tokenCount,
      context: [document.title, ...chunk.headingPath].join('\n'),
    }));
    await tx.execute(
      sql`insert into knowledge_chunks
            (document_id, chunk_index, content, heading_path, kind, language, regconfig, content_hash, token_count, search_vector)
          select ${documentId}, x.chunk_index, x.content, x.heading_path, x.kind, x.language, x.regconfig, x.content_hash, x.token_count,
            setweight(to_tsvector(x.regconfig::regconfig, unaccent(x.context)), 'A')
            || setweight(to_tsvector(x.regconfig::regconfig, unaccent(x.content)), 'B')
            || setweight(to_tsvector('simple'::regconfig, unaccent(x.context)), 'C')
            || setweight(to_tsvector('simple'::regconfig, unaccent(x.content)), 'D')
          from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(
            chunk_index int, content text, heading_path text[], kind text, language text, regconfig text,
            content_hash text, token_count int, context text)`,
    );
  }
  return { documentId, chunksInserted: plan.insert.length, chunksRemoved: plan.remove.length };
}
