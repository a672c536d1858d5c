import { createHash } from 'node:crypto';

import { sql, type SQL } from 'drizzle-orm';

import type { Executor } from '../../db/database.ts';
import { queryRows } from '../../db/query-rows.ts';

/**
 * SQL fragments shared by the index and the query that must use it: PostgreSQL picks a partial
 * expression index only when the query repeats the same expression and predicate, with constants.
 */
export interface EmbeddingIndexSql {
  readonly indexName: string;
  /** `embedding::vector(N)`, the indexed expression (qualified by `alias` in queries). */
  readonly vectorExpression: (alias?: string) => SQL;
  /** `model = '<key>'`, the index predicate, as a literal. */
  readonly modelPredicate: (alias?: string) => SQL;
  /** A bound parameter cast to the same type. */
  readonly vectorParameter: (vector: readonly number[]) => SQL;
}

export function embeddingIndexSql(modelKey: string, dimensions: number): EmbeddingIndexSql {
  if (!Number.isInteger(dimensions) || dimensions < 1) throw new Error(`invalid dimension ${dimensions}`);
  const suffix = createHash('sha256').update(`${modelKey}\n${dimensions}`).digest('hex').slice(0, 16);
  const literal = `'${modelKey.replaceAll("'", "''")}'`;
  return {
    indexName: `knowledge_chunk_embeddings_hnsw_${suffix}`,
    vectorExpression: (alias) => sql.raw(`(${qualify(alias)}embedding::vector(${dimensions}))`),
    modelPredicate: (alias) => sql.raw(`${qualify(alias)}model = ${literal}`),
    vectorParameter: (vector) => sql`${`[${vector.join(',')}]`}::vector(${sql.raw(String(dimensions))})`,
  };
}

/** Enough for the graph of ~100k 768-d vectors; released when the build ends. */
const DEFAULT_BUILD_MEMORY = '512MB';

function qualify(alias: string | undefined): string {
  return alias ? `${alias}.` : '';
}

/**
 * Creates the model's HNSW index (cosine) if it is missing. Built once over the existing rows,
 * then maintained by PostgreSQL on every insert. The build gets `buildMemory` of
 * maintenance_work_mem: a graph that outgrows it is built several times slower.
 */
export async function ensureEmbeddingIndex(
  db: Executor,
  modelKey: string,
  dimensions: number,
  options: { readonly buildMemory?: string } = {},
): Promise<string> {
  const index = embeddingIndexSql(modelKey, dimensions);
  const buildMemory = options.buildMemory ?? DEFAULT_BUILD_MEMORY;
  if (!/^\d+(kB|MB|GB)$/.test(buildMemory)) throw new Error(`invalid buildMemory ${buildMemory}`);
  await db.transaction(async (tx) => {
    await tx.execute(sql`select set_config('maintenance_work_mem', ${buildMemory}, true)`);
    await tx.execute(
      sql`create index if not exists ${sql.identifier(index.indexName)} on knowledge_chunk_embeddings using hnsw (${index.vectorExpression()} vector_cosine_ops) where ${index.modelPredicate()}`,
    );
  });
  return index.indexName;
}

/** Drops the HNSW indexes of every model but `keepModelKey` (after a switch of models). */
export async function dropOtherEmbeddingIndexes(
  db: Executor,
  keepIndexName: string | undefined,
): Promise<string[]> {
  const rows = await queryRows<{ indexname: string }>(
    db,
    sql`select indexname from pg_indexes where tablename = 'knowledge_chunk_embeddings' and indexname like 'knowledge_chunk_embeddings_hnsw_%'`,
  );
  const dropped: string[] = [];
  for (const { indexname } of rows) {
    if (indexname === keepIndexName) continue;
    await db.execute(sql`drop index if exists ${sql.identifier(indexname)}`);
    dropped.push(indexname);
  }
  return dropped;
}
