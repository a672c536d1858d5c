import { sql } from 'drizzle-orm';

import type { Executor } from '../../db/database.ts';
import { queryRows } from '../../db/query-rows.ts';

/** A query word that is not a stopword: its stems in the query's configuration and the bare word. */
export interface QueryToken {
  readonly word: string;
  readonly stems: readonly string[];
  /** Chunks containing the stem(s) / the bare word, from `knowledge_lexemes`. */
  readonly stemChunkCounts: readonly number[];
  readonly wordChunkCount: number;
}

export interface QueryTokens {
  readonly tokens: readonly QueryToken[];
  /** Chunks in the knowledge base when the statistics were last refreshed. */
  readonly totalChunks: number;
}

/** Customers paste whole messages; the first this-many characters carry the question. */
const MAX_QUERY_CHARACTERS = 2_000;

/**
 * Parses the query with PostgreSQL's own parser and dictionaries (`ts_debug`, after unaccent, as
 * the passages were indexed) and looks up how common each term is.
 */
export async function readQueryTokens(db: Executor, text: string, regconfig: string): Promise<QueryTokens> {
  const rows = await queryRows<{
    token: string;
    lexemes: string[];
    stem_counts: number[];
    word_count: number;
    total: number;
  }>(
    db,
    sql`with tokens as (
          select d.ordinality, lower(d.token) as token, d.lexemes
          from ts_debug(${regconfig}::regconfig, unaccent(${text.slice(0, MAX_QUERY_CHARACTERS)})) with ordinality as d
          where d.lexemes is not null and cardinality(d.lexemes) > 0
        )
        select t.token, t.lexemes,
          array(select coalesce(k.chunk_count, 0) from unnest(t.lexemes) with ordinality as l(lexeme, n)
                left join knowledge_lexemes k on k.lexeme = l.lexeme order by l.n) as stem_counts,
          coalesce((select k.chunk_count from knowledge_lexemes k where k.lexeme = t.token), 0) as word_count,
          coalesce((select k.chunk_count from knowledge_lexemes k where k.lexeme = ''), 0) as total
        from tokens t order by t.ordinality`,
  );
  return {
    tokens: rows.map((row) => ({
      word: row.token,
      stems: row.lexemes,
      stemChunkCounts: row.stem_counts.map(Number),
      wordChunkCount: Number(row.word_count),
    })),
    totalChunks: Number(rows[0]?.total ?? 0),
  };
}
