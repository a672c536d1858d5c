import type { QueryTokens } from './read-query-tokens.ts';

/** One query word as a tsquery (its stems, the bare word, a prefix of the stem) and its weight. */
export interface WeightedTerm {
  /** Raw tsquery text, e.g. `'devoluca' | 'devolucao' | 'devolu':*AB`. */
  readonly query: string;
  /** The same without weight restrictions: what the GIN index can answer without rechecking rows. */
  readonly indexQuery: string;
  /** The same restricted to titles and headings (weights A and C). */
  readonly headingQuery: string;
  /** Inverse document frequency: rare words weigh more. */
  readonly weight: number;
  readonly chunkCount: number;
}

export interface WeightedQuery {
  readonly terms: readonly WeightedTerm[];
  /** OR of the selective terms: finds the candidates (via the GIN index) that the terms then score. */
  readonly matchQuery: string | null;
  /** Sum of the weights of terms the knowledge base contains; a passage matching all of them scores 1. */
  readonly totalWeight: number;
}

export interface WeighQueryTermsOptions {
  /**
   * Candidates are the chunks containing the rarest terms, added rarest first while their chunk
   * counts sum to at most this; commoner terms only add to scores. Bounds the work per query on
   * large bases (the MaxScore idea: a chunk with only common words cannot outrank one with a rare word).
   */
  readonly candidateBudget?: number;
  /** …but at least this many of the rarest known terms always select candidates. */
  readonly minMatchTerms?: number;
  readonly maxTerms?: number;
  /**
   * Stems at least this long also match, as a prefix two letters shorter, the stems of other
   * inflections snowball leaves apart (Portuguese `devoluca`/`devoluco`).
   */
  readonly minPrefixStemLength?: number;
  readonly minPrefixLength?: number;
}

const DEFAULTS: Required<WeighQueryTermsOptions> = {
  candidateBudget: 1_000,
  minMatchTerms: 1,
  maxTerms: 24,
  minPrefixStemLength: 6,
  minPrefixLength: 5,
};

/**
 * Turns parsed query words into weighted OR terms. ts_rank has no notion of how rare a word is, so
 * in a long customer message "order" would outweigh "Manaus"; a BM25-style IDF per word fixes that,
 * and keeping very common words out of the candidate filter keeps the query fast on large bases.
 */
export function weighQueryTerms(parsed: QueryTokens, options: WeighQueryTermsOptions = {}): WeightedQuery {
  const settings = { ...DEFAULTS, ...options };
  const total = Math.max(parsed.totalChunks, 1);
  const byQuery = new Map<string, WeightedTerm>();
  for (const token of parsed.tokens) {
    const lexemes = unique([...token.stems, token.word].filter((lexeme) => lexeme.length > 0));
    if (lexemes.length === 0) continue;
    const prefixes = unique(
      token.stems
        .filter((stem) => stem.length >= settings.minPrefixStemLength)
        .map((stem) => stem.slice(0, Math.max(settings.minPrefixLength, stem.length - 2))),
    );
    // Prefixes only over the stemmed part (weights A, B): over bare words they would catch stopwords.
    const query = [
      ...lexemes.map((lexeme) => quote(lexeme)),
      ...prefixes.map((prefix) => `${quote(prefix)}:*AB`),
    ].join(' | ');
    if (byQuery.has(query)) continue;
    const indexQuery = [
      ...lexemes.map((lexeme) => quote(lexeme)),
      ...prefixes.map((prefix) => `${quote(prefix)}:*`),
    ].join(' | ');
    const headingQuery = [
      ...lexemes.map((lexeme) => `${quote(lexeme)}:AC`),
      ...prefixes.map((prefix) => `${quote(prefix)}:*A`),
    ].join(' | ');
    const chunkCount = Math.min(Math.max(token.wordChunkCount, ...token.stemChunkCounts), total);
    const weight = Math.log(1 + (total - chunkCount + 0.5) / (chunkCount + 0.5));
    byQuery.set(query, { query, indexQuery, headingQuery, weight, chunkCount });
  }
  const terms = [...byQuery.values()].sort((a, b) => a.chunkCount - b.chunkCount).slice(0, settings.maxTerms);
  // Words the base lacks cost nothing to look up (a typo may still hit through its prefix).
  const known = terms.filter((term) => term.chunkCount > 0);
  const selective = terms.filter((term) => term.chunkCount === 0);
  let budget = 0;
  for (const [position, term] of known.entries()) {
    if (position >= settings.minMatchTerms && budget + term.chunkCount > settings.candidateBudget) break;
    selective.push(term);
    budget += term.chunkCount;
  }
  return {
    terms,
    matchQuery: selective.length > 0 ? selective.map((term) => `(${term.indexQuery})`).join(' | ') : null,
    totalWeight: (known.length > 0 ? known : terms).reduce((sum, term) => sum + term.weight, 0),
  };
}

/** A lexeme as a tsquery literal: quoted, so the tsquery parser takes it verbatim. */
function quote(lexeme: string): string {
  return `'${lexeme.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}
