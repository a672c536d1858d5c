import { sql } from 'drizzle-orm';

import type { Executor } from '../../db/database.ts';
import { queryRows } from '../../db/query-rows.ts';

/** Deletes the source's documents (and, by cascade, chunks and vectors) whose URI is not in `keep`. */
export async function removeDocumentsNotIn(
  db: Executor,
  sourceId: number,
  keep: readonly string[],
): Promise<{ documents: number; chunks: number }> {
  const rows = await queryRows<{ chunk_count: number }>(
    db,
    sql`delete from knowledge_documents
        where source_id = ${sourceId} and not (source_uri = any(${sql.param([...keep])}::text[]))
        returning chunk_count`,
  );
  return { documents: rows.length, chunks: rows.reduce((sum, row) => sum + row.chunk_count, 0) };
}
