import { sql } from 'drizzle-orm';

import type { DatabaseHandle } from '../../src/db/database.ts';
import { queryRows } from '../../src/db/query-rows.ts';
import { embedPendingChunks } from '../../src/knowledge/embed/embed-pending-chunks.ts';
import { embeddingIndexSql } from '../../src/knowledge/embed/embedding-index.ts';
import { percentile } from '../../src/knowledge/eval/retrieval-metrics.ts';
import type { KnowledgeSearch } from '../../src/knowledge/knowledge-search.ts';
import { createKnowledgeSearch } from '../../src/knowledge/search/create-knowledge-search.ts';
import { addSource } from '../../src/knowledge/store/add-source.ts';
import { ingestDocuments } from '../../src/knowledge/store/ingest-documents.ts';
import { generateDocuments, generateQueries, type BenchQuery } from './bench-corpus.ts';
import type { createBenchEmbedder } from './bench-embedder.ts';
import type { BackendReport, LatencyReport } from './format-bench-report.ts';

export interface MeasureOptions {
  readonly label: string;
  readonly documents: number;
  readonly queries: number;
  readonly embedder: ReturnType<typeof createBenchEmbedder>;
}

const EF_SEARCH_STEPS = [10, 20, 40, 64, 100, 150, 200, 300] as const;
const RECALL_QUERIES = 100;
const TARGET_RECALL = 0.95;

export async function measureBackend(
  handle: DatabaseHandle,
  options: MeasureOptions,
): Promise<BackendReport> {
  const { db } = handle;
  const { embedder } = options;
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 200);
  sampler.unref();
  const log = (message: string) => console.error(`[${options.label}] ${message}`);

  try {
    const source = await addSource({ db }, { kind: 'directory', location: `/bench/${options.documents}` });
    log(`ingesting ${options.documents} documents…`);
    let started = performance.now();
    let statisticsStarted = 0;
    const ingest = await ingestDocuments(
      { db },
      {
        sourceId: source.id,
        documents: generateDocuments(options.documents),
        onProgress: (progress) => {
          if (progress.phase === 'statistics') statisticsStarted = performance.now();
          if (progress.phase === 'documents' && progress.done % 1000 === 0)
            log(`  ${progress.done} documents`);
        },
      },
    );
    const ingestSeconds = (performance.now() - started) / 1000;
    const statisticsSeconds = statisticsStarted ? (performance.now() - statisticsStarted) / 1000 : 0;

    log(`embedding ${ingest.chunksInserted} passages…`);
    started = performance.now();
    let lastVectorWritten = started;
    const embedded = await embedPendingChunks(
      { db, embedder },
      {
        onProgress: (progress) => {
          lastVectorWritten = performance.now();
          if (progress.embedded % 10_240 === 0) log(`  ${progress.embedded} vectors`);
        },
      },
    );
    const finished = performance.now();
    const vectorSeconds = (lastVectorWritten - started) / 1000;
    const indexBuildSeconds = (finished - lastVectorWritten) / 1000;
    // What autovacuum would do after a bulk load; done now so it does not run during the measurements.
    log('vacuum analyze…');
    await db.execute(
      sql`vacuum (analyze) knowledge_chunks, knowledge_chunk_embeddings, knowledge_documents, knowledge_sources`,
    );

    log('measuring HNSW recall…');
    const queries = generateQueries(options.queries);
    const recall = await measureRecall(handle, embedder, queries.slice(0, RECALL_QUERIES));
    const chosen = recall.find((step) => step.recall >= TARGET_RECALL) ?? recall.at(-1)!;

    log(`measuring query latency with ef_search ${chosen.efSearch}…`);
    const hybrid = createKnowledgeSearch({ db, embedder }, { efSearch: chosen.efSearch });
    const fullText = createKnowledgeSearch({ db });
    const hybridLatency = await measureLatency(hybrid, queries, embedder);
    const hybridInboxLatency = await measureLatency(hybrid, queries, embedder, 7);
    const fullTextLatency = await measureLatency(fullText, queries, embedder);

    const [sizes] = await queryRows<Record<string, string>>(
      db,
      sql`select pg_size_pretty(pg_database_size(current_database())) as database,
                 pg_size_pretty(pg_total_relation_size('knowledge_chunks')) as chunks,
                 pg_size_pretty(pg_relation_size('knowledge_chunks_search_vector_idx')) as gin_index,
                 pg_size_pretty(pg_total_relation_size('knowledge_chunk_embeddings')) as embeddings,
                 pg_size_pretty(pg_relation_size(${embedded.indexName}::regclass)) as hnsw_index`,
    );
    return {
      label: options.label,
      passages: ingest.chunksInserted,
      documents: ingest.documentCount,
      ingest: {
        seconds: ingestSeconds,
        passagesPerSecond: ingest.chunksInserted / ingestSeconds,
        documentsPerSecond: ingest.documentCount / ingestSeconds,
        lexemeStatisticsSeconds: statisticsSeconds,
      },
      vectors: {
        seconds: vectorSeconds,
        perSecond: embedded.embedded / vectorSeconds,
        dimensions: embedder.dimensions,
      },
      hnswBuildSeconds: indexBuildSeconds,
      recall,
      chosenEfSearch: chosen.efSearch,
      latency: {
        hybrid: hybridLatency,
        hybridWithInboxFilter: hybridInboxLatency,
        fullTextOnly: fullTextLatency,
      },
      sizes: sizes ?? {},
      peakRssMiB: peakRss / 2 ** 20,
    };
  } finally {
    clearInterval(sampler);
  }
}

async function measureRecall(
  handle: DatabaseHandle,
  embedder: MeasureOptions['embedder'],
  queries: readonly BenchQuery[],
): Promise<BackendReport['recall']> {
  const index = embeddingIndexSql(embedder.key, embedder.dimensions);
  const vectors = await embedder.embed(queries.map((query) => query.text));
  const nearest = (values: readonly number[]) => sql`
    select e.chunk_id::text as id from knowledge_chunk_embeddings e
    where ${index.modelPredicate('e')}
    order by ${index.vectorExpression('e')} <=> ${index.vectorParameter(values)} limit 10`;

  const exact: Set<string>[] = [];
  for (const values of vectors) {
    const rows = await handle.db.transaction(async (tx) => {
      await tx.execute(
        sql`select set_config('enable_indexscan', 'off', true), set_config('enable_bitmapscan', 'off', true)`,
      );
      return queryRows<{ id: string }>(tx, nearest(values));
    });
    exact.push(new Set(rows.map((row) => row.id)));
  }
  const plan = await queryRows<{ 'QUERY PLAN': string }>(handle.db, sql`explain ${nearest(vectors[0]!)}`);
  const usesIndex = plan.some((line) => line['QUERY PLAN'].includes(index.indexName));
  if (!usesIndex)
    throw new Error(`the HNSW index is not used:\n${plan.map((line) => line['QUERY PLAN']).join('\n')}`);

  const steps: BackendReport['recall'][number][] = [];
  for (const efSearch of EF_SEARCH_STEPS) {
    let found = 0;
    const latencies: number[] = [];
    for (const [position, values] of vectors.entries()) {
      const started = performance.now();
      const rows = await handle.db.transaction(async (tx) => {
        // With a large ef_search pgvector's cost estimate can make the planner fall back to an exact
        // scan; keep measuring the index.
        await tx.execute(
          sql`select set_config('hnsw.ef_search', ${String(efSearch)}, true), set_config('enable_seqscan', 'off', true)`,
        );
        return queryRows<{ id: string }>(tx, nearest(values));
      });
      latencies.push(performance.now() - started);
      found += rows.filter((row) => exact[position]!.has(row.id)).length;
    }
    const recall = found / (vectors.length * 10);
    steps.push({
      efSearch,
      recall,
      p50Ms: percentile(
        latencies.sort((a, b) => a - b),
        0.5,
      ),
    });
    if (recall >= 0.99) break;
  }
  return steps;
}

async function measureLatency(
  search: KnowledgeSearch,
  queries: readonly BenchQuery[],
  embedder: MeasureOptions['embedder'],
  inboxId?: number,
): Promise<LatencyReport> {
  for (const query of queries.slice(0, 20))
    await search.search({ query: query.text, ...(inboxId ? { inboxId } : {}) });
  const latencies: number[] = [];
  const timed: { ms: number; query: string }[] = [];
  let relevantInTop5 = 0;
  for (const query of queries) {
    const started = performance.now();
    const passages = await search.search({ query: query.text, limit: 5, ...(inboxId ? { inboxId } : {}) });
    latencies.push(performance.now() - started);
    timed.push({ ms: latencies.at(-1)!, query: query.text });
    if (passages.some((passage) => embedder.clusterOf(passage.content) === query.cluster))
      relevantInTop5 += 1;
  }
  latencies.sort((a, b) => a - b);
  return {
    p50Ms: percentile(latencies, 0.5),
    p95Ms: percentile(latencies, 0.95),
    maxMs: latencies.at(-1) ?? 0,
    sameClusterInTop5: relevantInTop5 / queries.length,
    slowest: timed.sort((a, b) => b.ms - a.ms).slice(0, 3),
  };
}
