import { sql } from 'drizzle-orm';

import type { Database } from '../../db/database.ts';
import { coerceError } from '../../errors/coerce-error.ts';
import type { Logger } from '../../logging/create-logger.ts';
import type { KnowledgeEmbedder } from '../embed/knowledge-embedder.ts';
import type { KnowledgeSearch } from '../knowledge-search.ts';
import { queryRows } from '../../db/query-rows.ts';
import { detectLanguage } from './detect-language.ts';
import { hybridSearch, type HybridSearchTuning } from './hybrid-search.ts';
import { readQueryTokens } from './read-query-tokens.ts';
import { textSearchConfigFor } from './text-search-config.ts';
import { weighQueryTerms, type WeighQueryTermsOptions } from './weigh-query-terms.ts';

export interface KnowledgeSearchDeps {
  readonly db: Database;
  /** Absent: full-text search only. */
  readonly embedder?: KnowledgeEmbedder;
  readonly logger?: Logger;
  /** Milliseconds clock, for the language cache. */
  readonly now?: () => number;
}

export interface KnowledgeSearchOptions extends Partial<HybridSearchTuning> {
  readonly defaultLimit?: number;
  readonly maxLimit?: number;
  readonly terms?: WeighQueryTermsOptions;
  /** How long the list of the knowledge base's languages (the detector's candidates) is reused. */
  readonly languageCacheMs?: number;
}

export const DEFAULT_SEARCH_TUNING: HybridSearchTuning = {
  candidates: 40,
  rrfK: 60,
  minScore: 0,
  minFullTextRank: 0,
  maxVectorDistance: 2,
  headingBoost: 0.5,
  languageBoost: 0.25,
  efSearch: 100,
};

/** Longest text sent to the embedding model for a query. */
const MAX_EMBEDDED_QUERY_CHARACTERS = 4_000;

/**
 * The knowledge base's `KnowledgeSearch`: detects the query's language among the base's languages,
 * weighs its words, embeds it (when a model is configured; if the provider fails the search
 * continues on full text alone) and runs the hybrid query.
 */
export function createKnowledgeSearch(
  deps: KnowledgeSearchDeps,
  options: KnowledgeSearchOptions = {},
): KnowledgeSearch {
  const tuning = tuningFrom(options);
  const defaultLimit = options.defaultLimit ?? 5;
  const maxLimit = options.maxLimit ?? 50;
  const now = deps.now ?? Date.now;
  let languages: { readonly codes: readonly string[]; readonly at: number } | undefined;

  async function knowledgeLanguages(): Promise<readonly string[]> {
    if (languages && now() - languages.at < (options.languageCacheMs ?? 60_000)) return languages.codes;
    const rows = await queryRows<{ language: string }>(
      deps.db,
      sql`select distinct language from knowledge_documents where language <> 'und'`,
    );
    languages = { codes: rows.map((row) => row.language), at: now() };
    return languages.codes;
  }

  async function embedQuery(text: string, signal: AbortSignal | undefined): Promise<number[] | undefined> {
    if (!deps.embedder) return undefined;
    try {
      const [vector] = await deps.embedder.embed([text.slice(0, MAX_EMBEDDED_QUERY_CHARACTERS)], signal);
      return vector;
    } catch (thrown) {
      signal?.throwIfAborted();
      deps.logger?.warn({ err: coerceError(thrown) }, 'query embedding failed; searching full text only');
      return undefined;
    }
  }

  return {
    async search(query, signal) {
      const text = query.query.trim();
      if (!text) return [];
      const language = query.language ?? detectLanguage(text, { candidates: await knowledgeLanguages() });
      const [tokens, vector] = await Promise.all([
        readQueryTokens(deps.db, text, textSearchConfigFor(language)),
        embedQuery(text, signal),
      ]);
      signal?.throwIfAborted();
      const limit = Math.min(Math.max(1, query.limit ?? defaultLimit), maxLimit);
      return hybridSearch(deps.db, {
        fullText: weighQueryTerms(tokens, options.terms),
        language: language ?? '',
        ...(vector && deps.embedder
          ? { vector: { values: vector, modelKey: deps.embedder.key, dimensions: deps.embedder.dimensions } }
          : {}),
        ...(query.inboxId !== undefined ? { inboxId: query.inboxId } : {}),
        ...(query.sourceIds !== undefined ? { sourceIds: query.sourceIds } : {}),
        limit,
        tuning: { ...tuning, candidates: Math.max(tuning.candidates, limit) },
      });
    },
  };
}

function tuningFrom(options: KnowledgeSearchOptions): HybridSearchTuning {
  const tuning: Record<string, number> = { ...DEFAULT_SEARCH_TUNING };
  for (const key of Object.keys(DEFAULT_SEARCH_TUNING) as (keyof HybridSearchTuning)[]) {
    const value = options[key];
    if (value !== undefined) tuning[key] = value;
  }
  return tuning as unknown as HybridSearchTuning;
}
