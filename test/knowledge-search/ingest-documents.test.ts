import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { DatabaseHandle } from '../../src/db/database.ts';
import { createKnowledgeEmbedder } from '../../src/knowledge/embed/knowledge-embedder.ts';
import { reembedAll } from '../../src/knowledge/embed/reembed-all.ts';
import type { ExtractedDocument } from '../../src/knowledge/extracted-document.ts';
import { createKnowledgeSearch } from '../../src/knowledge/search/create-knowledge-search.ts';
import { ingestDocuments, type IngestProgress } from '../../src/knowledge/store/ingest-documents.ts';
import { addSource } from '../../src/knowledge/store/add-source.ts';
import { queryRows } from '../../src/db/query-rows.ts';
import { createTestDatabase } from '../setup/test-database.ts';
import { markdownDocument } from './documents.ts';
import { createMarkerEmbeddingModel } from './marker-embedding-model.ts';

const longSection = (topic: string, fact: string) =>
  `## ${topic}\n\n${`${fact} `.repeat(3)}This paragraph explains ${topic.toLowerCase()} in some detail for customers.\n\n` +
  `A second paragraph about ${topic.toLowerCase()} adds more words so the chunker keeps sections apart.`;

const shipping = (deliveryFact: string): ExtractedDocument =>
  markdownDocument(
    'shipping.md',
    'Shipping',
    [
      longSection('Domestic delivery', deliveryFact),
      longSection('International delivery', 'International parcels travel with DHL Express worldwide.'),
      longSection('Tracking', 'Tracking numbers arrive by email once the parcel leaves the warehouse.'),
    ].join('\n\n'),
    'en',
  );
const returns = markdownDocument(
  'returns.md',
  'Returns',
  longSection('Refunds', 'Refunds reach the card within a week.'),
  'en',
);
const warranty = markdownDocument(
  'warranty.md',
  'Warranty',
  longSection('Backpacks', 'Zeppelin backpacks carry a two year warranty.'),
  'en',
);

const chunkOptions = { targetTokens: 60, maxTokens: 120 };

interface ChunkRow {
  id: string;
  source_uri: string;
  content_hash: string;
}

async function chunkRows(handle: DatabaseHandle): Promise<ChunkRow[]> {
  return queryRows<ChunkRow>(
    handle.db,
    sql`select c.id::text as id, d.source_uri, c.content_hash from knowledge_chunks c join knowledge_documents d on d.id = c.document_id order by c.id`,
  );
}

async function embeddingModels(handle: DatabaseHandle): Promise<{ model: string; count: number }[]> {
  return queryRows(
    handle.db,
    sql`select model, count(*)::int as count from knowledge_chunk_embeddings group by model order by model`,
  );
}

async function hnswIndexes(handle: DatabaseHandle): Promise<string[]> {
  const rows = await queryRows<{ indexdef: string }>(
    handle.db,
    sql`select indexdef from pg_indexes where indexname like 'knowledge_chunk_embeddings_hnsw_%' order by indexname`,
  );
  return rows.map((row) => row.indexdef);
}

describe('ingestDocuments: re-sync, deletion and the embedding cache', () => {
  let handle: DatabaseHandle;
  let sourceId: number;
  const markers = createMarkerEmbeddingModel({ zeppelin: [0, 1, 0] }, { fallback: [1, 0, 0] });
  const embedder = createKnowledgeEmbedder({ model: markers.model, dimensions: 3, batchSize: 4 });
  const deps = () => ({ db: handle.db, embedder });

  beforeAll(async () => {
    handle = await createTestDatabase();
    sourceId = (await addSource(handle, { kind: 'directory', location: '/kb/resync' })).id;
  });
  afterAll(async () => {
    await handle.close();
  });

  it('stores every document, chunk and vector on the first sync, reporting progress', async () => {
    const progress: IngestProgress[] = [];
    const result = await ingestDocuments(deps(), {
      sourceId,
      documents: [shipping('Standard delivery takes three to five business days.'), returns, warranty],
      chunkOptions,
      onProgress: (event) => progress.push(event),
    });
    const chunks = await chunkRows(handle);
    expect(result).toMatchObject({
      added: 3,
      updated: 0,
      unchanged: 0,
      removed: 0,
      failed: [],
      documentCount: 3,
    });
    expect(chunks.filter((chunk) => chunk.source_uri === 'shipping.md').length).toBeGreaterThanOrEqual(3);
    expect(result.chunksInserted).toBe(chunks.length);
    expect(result.chunksEmbedded).toBe(new Set(chunks.map((chunk) => chunk.content_hash)).size);
    expect(markers.embedded).toHaveLength(result.chunksEmbedded);
    expect(await embeddingModels(handle)).toEqual([{ model: embedder.key, count: chunks.length }]);
    const [index, ...others] = await hnswIndexes(handle);
    expect(others).toEqual([]);
    expect(index).toContain('USING hnsw (((embedding)::vector(3)) vector_cosine_ops)');
    expect(index).toContain("WHERE (model = 'mock-provider:marker-model:3'::text)");
    expect(progress.filter((event) => event.phase === 'documents').map((event) => event.done)).toEqual([
      1, 2, 3,
    ]);
    expect(progress.at(-1)).toMatchObject({ phase: 'done', done: 3 });
  });

  it('changes nothing when the same documents are synced again', async () => {
    const before = await chunkRows(handle);
    const embeddedBefore = markers.embedded.length;
    const result = await ingestDocuments(deps(), {
      sourceId,
      documents: [shipping('Standard delivery takes three to five business days.'), returns, warranty],
      chunkOptions,
    });
    expect(result).toMatchObject({
      added: 0,
      updated: 0,
      unchanged: 3,
      removed: 0,
      chunksInserted: 0,
      chunksRemoved: 0,
      chunksEmbedded: 0,
    });
    expect(await chunkRows(handle)).toEqual(before);
    expect(markers.embedded.length).toBe(embeddedBefore);
  });

  it('rewrites only the changed passage and removes documents that disappeared', async () => {
    const before = await chunkRows(handle);
    const embeddedBefore = markers.embedded.length;
    const result = await ingestDocuments(deps(), {
      sourceId,
      documents: [shipping('Standard delivery now takes two to four business days.'), returns],
      chunkOptions,
    });
    const after = await chunkRows(handle);
    expect(result).toMatchObject({ added: 0, updated: 1, unchanged: 1, removed: 1 });
    expect(result.chunksInserted).toBeGreaterThanOrEqual(1);
    // The unchanged sections of shipping.md keep their rows (and vectors).
    const keptShipping = after.filter(
      (chunk) => chunk.source_uri === 'shipping.md' && before.some((old) => old.id === chunk.id),
    );
    expect(keptShipping.length).toBe(
      after.filter((chunk) => chunk.source_uri === 'shipping.md').length - result.chunksInserted,
    );
    expect(keptShipping.length).toBeGreaterThanOrEqual(2);
    expect(after.some((chunk) => chunk.source_uri === 'warranty.md')).toBe(false);
    expect(markers.embedded.length - embeddedBefore).toBe(result.chunksEmbedded);
    expect(result.chunksEmbedded).toBe(result.chunksInserted);
    expect(await embeddingModels(handle)).toEqual([{ model: embedder.key, count: after.length }]);

    const search = createKnowledgeSearch(deps());
    const found = await search.search({ query: 'zeppelin backpack warranty', limit: 20 });
    expect(found.map((passage) => passage.citation.url)).not.toContain('warranty.md');
    expect(found.every((passage) => passage.fullTextRank === null)).toBe(true);
    // Full text alone: the mock vectors tie, so their ranking would only reflect row ids.
    const [passage] = await createKnowledgeSearch({ db: handle.db }).search({
      query: 'how long does standard delivery take',
    });
    expect(passage?.content).toContain('two to four business days');
  });

  it('reuses vectors of identical text instead of calling the provider again', async () => {
    const embeddedBefore = markers.embedded.length;
    const copy = { ...returns, sourceUri: 'copies/returns.md' };
    const result = await ingestDocuments(deps(), {
      sourceId,
      documents: [shipping('Standard delivery now takes two to four business days.'), returns, copy],
      chunkOptions,
    });
    expect(result).toMatchObject({ added: 1, unchanged: 2, chunksEmbedded: 0 });
    expect(result.chunksFromEmbeddingCache).toBe(result.chunksInserted);
    expect(markers.embedded.length).toBe(embeddedBefore);
  });

  it('keeps a document that fails and reports it', async () => {
    const broken = { ...returns, sourceUri: 'broken.md', markdown: '# Broken\n\nText.', title: 'Broken' };
    const failing: ExtractedDocument = Object.defineProperty({ ...broken }, 'markdown', {
      get() {
        throw new Error('cannot read');
      },
      enumerable: true,
    });
    const result = await ingestDocuments(deps(), {
      sourceId,
      documents: [shipping('Standard delivery now takes two to four business days.'), returns, failing],
      chunkOptions,
      isComplete: false,
    });
    expect(result.failed.map((failure) => failure.sourceUri)).toEqual(['broken.md']);
    expect(result.removed).toBe(0);
    expect(result.documentCount).toBe(3);
  });

  it('re-embeds everything with a new model and drops the old one', async () => {
    const next = createMarkerEmbeddingModel(
      { zeppelin: [0, 0, 1, 0] },
      { modelId: 'next-model', fallback: [1, 0, 0, 0] },
    );
    const nextEmbedder = createKnowledgeEmbedder({ model: next.model, dimensions: 4 });
    const chunks = await chunkRows(handle);
    const result = await reembedAll({ db: handle.db, embedder: nextEmbedder });
    expect(result.embedded).toBe(new Set(chunks.map((chunk) => chunk.content_hash)).size);
    expect(result.droppedIndexes).toHaveLength(1);
    expect(await embeddingModels(handle)).toEqual([{ model: nextEmbedder.key, count: chunks.length }]);
    expect(await hnswIndexes(handle)).toEqual([expect.stringContaining("'mock-provider:next-model:4'")]);
    const passages = await createKnowledgeSearch({ db: handle.db, embedder: nextEmbedder }).search({
      query: 'refunds card',
    });
    expect(passages[0]?.vectorDistance).not.toBeNull();
  });
});
