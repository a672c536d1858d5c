/**
 * The seam between the agent (its `search_knowledge` tool, the offline responder) and the
 * knowledge base's hybrid search.
 */
export interface KnowledgeSearchQuery {
  readonly query: string;
  /** Restrict to passages available to this inbox (plus those shared with every inbox). */
  readonly inboxId?: number;
  /** ISO 639-1 code of the query when known; detected otherwise. */
  readonly language?: string;
  readonly sourceIds?: readonly number[];
  readonly limit?: number;
}

export interface KnowledgePassage {
  readonly chunkId: number;
  readonly documentId: number;
  readonly content: string;
  readonly kind: 'passage' | 'faq';
  /** Fused score (higher is better) and the parts it came from. */
  readonly score: number;
  readonly fullTextRank: number | null;
  readonly vectorDistance: number | null;
  readonly citation: {
    readonly title: string;
    readonly url?: string;
    readonly headingPath: readonly string[];
  };
  readonly language: string;
}

export interface KnowledgeSearch {
  search(query: KnowledgeSearchQuery, signal?: AbortSignal): Promise<readonly KnowledgePassage[]>;
}
