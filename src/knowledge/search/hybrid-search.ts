import { sql, type SQL } from 'drizzle-orm';

import type { Database, Executor } from '../../db/database.ts';
import { embeddingIndexSql } from '../embed/embedding-index.ts';
import type { KnowledgePassage } from '../knowledge-search.ts';
import { queryRows } from '../../db/query-rows.ts';
import type { WeightedQuery } from './weigh-query-terms.ts';

export interface HybridSearchInput {
  readonly fullText: WeightedQuery;
  /** The query's language: passages in it get `languageBoost`. */
  readonly language: string;
  /** The query's embedding, when an embedding model is configured. */
  readonly vector?: {
    readonly values: readonly number[];
    readonly modelKey: string;
    readonly dimensions: number;
  };
  readonly inboxId?: number;
  readonly sourceIds?: readonly number[];
  readonly limit: number;
  readonly tuning: HybridSearchTuning;
}

export interface HybridSearchTuning {
  /** Candidates taken from each ranking before fusion. */
  readonly candidates: number;
  /** Reciprocal Rank Fusion constant: score = Σ 1 / (k + rank). */
  readonly rrfK: number;
  /** Minimum fused score, normalised so that rank 1 in every ranking scores 1. */
  readonly minScore: number;
  /** Minimum share of the query's term weight a passage must match to be a full-text candidate. */
  readonly minFullTextRank: number;
  /** Maximum cosine distance for a vector candidate. */
  readonly maxVectorDistance: number;
  /** Extra weight for a term found in the title or headings, relative to the body. */
  readonly headingBoost: number;
  /** Multiplier bonus for passages in the query's language. */
  readonly languageBoost: number;
  /** HNSW search breadth (`hnsw.ef_search`); at least `candidates`. */
  readonly efSearch: number;
}

interface Row {
  id: string | number;
  document_id: string | number;
  content: string;
  kind: 'passage' | 'faq';
  heading_path: string[];
  language: string;
  title: string;
  url: string | null;
  source_uri: string;
  coverage: number | null;
  distance: number | null;
  score: number;
}

/**
 * One SQL query: a full-text ranking (IDF-weighted term matches over the GIN index) and a vector
 * ranking (cosine distance over the model's HNSW index), each cut to `candidates`, fused with
 * Reciprocal Rank Fusion, filtered by inbox and source, thresholded and cut to `limit`.
 * @see https://www.postgresql.org/docs/current/textsearch-controls.html
 * @see https://github.com/pgvector/pgvector#hybrid-search
 */
export async function hybridSearch(db: Database, input: HybridSearchInput): Promise<KnowledgePassage[]> {
  const { tuning } = input;
  const hasFullText = input.fullText.matchQuery !== null && input.fullText.terms.length > 0;
  if (!hasFullText && !input.vector) return [];
  const lists = (hasFullText ? 1 : 0) + (input.vector ? 1 : 0);
  const maxFused = lists / (tuning.rrfK + 1);
  const query = sql`
    with fulltext as materialized (${hasFullText ? fullTextCandidates(input) : sql`select null::bigint as id, 0::float8 as score, 0::float8 as coverage where false`}),
    fulltext_ranked as (
      select id, coverage, row_number() over (order by score desc, id) as position from fulltext
    ),
    semantic as materialized (${input.vector ? vectorCandidates(input) : sql`select null::bigint as id, 0::float8 as distance where false`}),
    semantic_ranked as (
      select id, distance, row_number() over (order by distance, id) as position from semantic
    ),
    fused as (
      select coalesce(f.id, s.id) as id, f.coverage, s.distance,
        (coalesce(1.0 / (${tuning.rrfK}::float8 + f.position), 0) + coalesce(1.0 / (${tuning.rrfK}::float8 + s.position), 0)) / ${maxFused}::float8 as score
      from fulltext_ranked f full outer join semantic_ranked s on s.id = f.id
    )
    select c.id, c.document_id, c.content, c.kind, c.heading_path, c.language,
      d.title, d.url, d.source_uri, fused.coverage::float8 as coverage, fused.distance::float8 as distance, fused.score::float8 as score
    from fused
    join knowledge_chunks c on c.id = fused.id
    join knowledge_documents d on d.id = c.document_id
    where fused.score >= ${tuning.minScore}::float8
    order by fused.score desc, c.id
    limit ${input.limit}`;

  const rows = await db.transaction(async (tx) => {
    await applySearchSettings(tx, tuning, input.vector !== undefined);
    return queryRows<Row>(tx, query);
  });
  return rows.map(toPassage);
}

function fullTextCandidates(input: HybridSearchInput): SQL {
  const { fullText, tuning } = input;
  const weighted = (pick: (term: WeightedQuery['terms'][number]) => string) =>
    sql.join(
      fullText.terms.map((term) => sql`${term.weight}::float8 * (m.vector @@ ${pick(term)}::tsquery)::int`),
      sql` + `,
    );
  const totalWeight = Math.max(fullText.totalWeight, Number.EPSILON);
  // `|| ''::tsvector` detoasts each matched vector once (OFFSET 0 keeps the subquery from being
  // flattened); otherwise every one of the per-term tests below would decompress it again.
  return sql`
    select id,
      (matched + ${tuning.headingBoost}::float8 * in_headings)
        * (case when language = ${input.language} then ${1 + tuning.languageBoost}::float8 else 1 end) as score,
      matched / ${totalWeight}::float8 as coverage
    from (
      select m.id, m.language, (${weighted((term) => term.query)}) as matched, (${weighted((term) => term.headingQuery)}) as in_headings
      from (
        select c.id, c.language, c.search_vector || ''::tsvector as vector
        from knowledge_chunks c
        where c.search_vector @@ ${fullText.matchQuery}::tsquery and ${chunkScope(input, 'c')}
        offset 0
      ) m
    ) scored
    where matched / ${totalWeight}::float8 >= ${tuning.minFullTextRank}
    order by score desc, id
    limit ${tuning.candidates}`;
}

function vectorCandidates(input: HybridSearchInput): SQL {
  const vector = input.vector!;
  const index = embeddingIndexSql(vector.modelKey, vector.dimensions);
  const distance = sql`${index.vectorExpression('e')} <=> ${index.vectorParameter(vector.values)}`;
  const scoped = hasScope(input)
    ? sql`and e.chunk_id in (select c.id from knowledge_chunks c where ${chunkScope(input, 'c')})`
    : sql``;
  return sql`
    select id, distance from (
      select e.chunk_id as id, ${distance} as distance
      from knowledge_chunk_embeddings e
      where ${index.modelPredicate('e')} ${scoped}
      order by ${distance}
      limit ${input.tuning.candidates}
    ) nearest
    where distance <= ${input.tuning.maxVectorDistance}`;
}

function hasScope(input: HybridSearchInput): boolean {
  return input.inboxId !== undefined || input.sourceIds !== undefined;
}

/** Passages of sources shared with every inbox or with this one, and of the listed sources. */
function chunkScope(input: HybridSearchInput, alias: string): SQL {
  if (!hasScope(input)) return sql`true`;
  const conditions: SQL[] = [];
  if (input.inboxId !== undefined)
    conditions.push(sql`(s.inbox_ids is null or ${input.inboxId}::int = any(s.inbox_ids))`);
  if (input.sourceIds !== undefined)
    conditions.push(sql`s.id = any(${sql.param([...input.sourceIds])}::bigint[])`);
  return sql`${sql.raw(alias)}.document_id in (
    select d.id from knowledge_documents d join knowledge_sources s on s.id = d.source_id where ${sql.join(conditions, sql` and `)})`;
}

/**
 * Planner settings for this query only (local to its transaction):
 * - no sequential scans: on 50k passages a scan that decompresses every passage's vector, or an
 *   exact vector scan chosen because pgvector prices HNSW by ef_search, is 5–100× slower than the
 *   GIN bitmap and HNSW scans (and `random_page_cost` 1.1, the SSD value, for the remaining choices);
 * - `jit` off: compiling the query costs more than running it;
 * - `hnsw.ef_search` bounds how many neighbours one HNSW scan returns, and iterative scans keep
 *   going when the inbox filter discards some (pgvector >= 0.8).
 */
async function applySearchSettings(
  tx: Executor,
  tuning: HybridSearchTuning,
  hasVector: boolean,
): Promise<void> {
  const efSearch = String(Math.max(tuning.efSearch, tuning.candidates));
  const planner = sql`set_config('enable_seqscan', 'off', true), set_config('random_page_cost', '1.1', true), set_config('jit', 'off', true)`;
  await tx.execute(
    hasVector
      ? sql`select ${planner}, set_config('hnsw.ef_search', ${efSearch}, true), set_config('hnsw.iterative_scan', 'relaxed_order', true)`
      : sql`select ${planner}`,
  );
}

function toPassage(row: Row): KnowledgePassage {
  const url = row.url ?? row.source_uri;
  return {
    chunkId: Number(row.id),
    documentId: Number(row.document_id),
    content: row.content,
    kind: row.kind,
    score: Number(row.score),
    fullTextRank: row.coverage === null ? null : Number(row.coverage),
    vectorDistance: row.distance === null ? null : Number(row.distance),
    citation: { title: row.title, url, headingPath: row.heading_path },
    language: row.language,
  };
}
