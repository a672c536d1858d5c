import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

/** PostgreSQL's `tsvector`; always written by SQL (`to_tsvector`), never from JavaScript. */
const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

/**
 * pgvector's `vector` without a fixed dimension: one table holds every model's vectors, and each
 * (model, dimension) gets its own partial HNSW expression index, created when the model is first used.
 */
const untypedVector = customType<{ data: number[]; driverData: string }>({
  dataType: () => 'vector',
  toDriver: (value) => `[${value.join(',')}]`,
  fromDriver: (value) => JSON.parse(value) as number[],
});

export type KnowledgeSourceKind = 'file' | 'directory' | 'url' | 'sitemap' | 'crawl' | 'chatwoot_portal';
export type KnowledgeSourceStatus = 'pending' | 'syncing' | 'ready' | 'error';

/** Where knowledge comes from, which inboxes may use it, and how its last sync went. */
export const knowledgeSources = pgTable(
  'knowledge_sources',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    kind: text('kind').$type<KnowledgeSourceKind>().notNull(),
    location: text('location').notNull(),
    name: text('name'),
    /** Chatwoot inbox ids allowed to use this source; null means every inbox. */
    inboxIds: integer('inbox_ids').array(),
    status: text('status').$type<KnowledgeSourceStatus>().notNull().default('pending'),
    lastSyncedAt: timestamp('last_synced_at', { withTimezone: true }),
    lastError: text('last_error'),
    documentCount: integer('document_count').notNull().default(0),
    options: jsonb('options').$type<Record<string, unknown>>().notNull().default({}),
    /** Re-sync interval or cron expression; null means manual only. */
    schedule: text('schedule'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [uniqueIndex('knowledge_sources_location_key').on(table.kind, table.location)],
);

/** One extracted document (file, page, FAQ table) of a source, identified by its URI inside the source. */
export const knowledgeDocuments = pgTable(
  'knowledge_documents',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    sourceId: bigint('source_id', { mode: 'number' })
      .notNull()
      .references(() => knowledgeSources.id, { onDelete: 'cascade' }),
    sourceUri: text('source_uri').notNull(),
    title: text('title').notNull(),
    url: text('url'),
    format: text('format').notNull(),
    /** ISO 639-1 code, declared by the source or detected; 'und' when unknown. */
    language: text('language').notNull(),
    /** Hash of everything that shapes the chunks: unchanged hash means nothing to redo. */
    contentHash: text('content_hash').notNull(),
    chunkCount: integer('chunk_count').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [uniqueIndex('knowledge_documents_source_uri_key').on(table.sourceId, table.sourceUri)],
);

/**
 * A passage. `search_vector` holds the passage in its language's text-search configuration and in
 * `simple`, accents folded with unaccent(); it is computed in the INSERT because unaccent() is not
 * IMMUTABLE and so cannot feed a generated column.
 */
export const knowledgeChunks = pgTable(
  'knowledge_chunks',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    documentId: bigint('document_id', { mode: 'number' })
      .notNull()
      .references(() => knowledgeDocuments.id, { onDelete: 'cascade' }),
    chunkIndex: integer('chunk_index').notNull(),
    content: text('content').notNull(),
    headingPath: text('heading_path')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    kind: text('kind').$type<'passage' | 'faq'>().notNull(),
    language: text('language').notNull(),
    /** The text-search configuration name (`portuguese`, `simple`, …). */
    regconfig: text('regconfig').notNull(),
    contentHash: text('content_hash').notNull(),
    tokenCount: integer('token_count').notNull().default(0),
    searchVector: tsvector('search_vector').notNull(),
  },
  (table) => [
    index('knowledge_chunks_document_idx').on(table.documentId, table.chunkIndex),
    index('knowledge_chunks_content_hash_idx').on(table.contentHash),
    index('knowledge_chunks_search_vector_idx').using('gin', table.searchVector),
  ],
);

/**
 * One vector per (chunk, model). `model` names the provider, model and dimension, so two models
 * never share an index: each gets a partial HNSW index over `embedding::vector(N)`.
 */
export const knowledgeChunkEmbeddings = pgTable(
  'knowledge_chunk_embeddings',
  {
    chunkId: bigint('chunk_id', { mode: 'number' })
      .notNull()
      .references(() => knowledgeChunks.id, { onDelete: 'cascade' }),
    model: text('model').notNull(),
    dimensions: integer('dimensions').notNull(),
    contentHash: text('content_hash').notNull(),
    embedding: untypedVector('embedding').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.chunkId, table.model] }),
    index('knowledge_chunk_embeddings_cache_idx').on(table.model, table.contentHash),
  ],
);

/**
 * Document frequency of every lexeme in `knowledge_chunks.search_vector`, refreshed after each
 * sync. Full-text ranking weights query terms by rarity (IDF), which ts_rank alone cannot do.
 * The row with the empty lexeme (never a real lexeme) holds the total number of chunks.
 */
export const knowledgeLexemes = pgTable('knowledge_lexemes', {
  lexeme: text('lexeme').primaryKey(),
  chunkCount: integer('chunk_count').notNull(),
});
