import type {
  KnowledgePassage,
  KnowledgeSearch,
  KnowledgeSearchQuery,
} from '../../../src/knowledge/knowledge-search.ts';

export interface FakePassageInput {
  readonly content: string;
  readonly title: string;
  readonly url?: string;
  readonly kind?: 'passage' | 'faq';
  readonly headingPath?: readonly string[];
  readonly vectorDistance?: number | null;
  readonly inboxId?: number;
}

/**
 * An in-memory stand-in for the hybrid search: ranks passages by shared words with the query
 * (like a full-text rank), returns them with RRF-like scores, and records every query.
 */
export function createFakeKnowledgeSearch(inputs: readonly FakePassageInput[]): KnowledgeSearch & {
  readonly queries: KnowledgeSearchQuery[];
  failWith?: Error;
} {
  const passages: (KnowledgePassage & { inboxId?: number })[] = inputs.map((input, index) => ({
    chunkId: index + 1,
    documentId: 100 + index,
    content: input.content,
    kind: input.kind ?? 'passage',
    score: 0,
    fullTextRank: null,
    vectorDistance: input.vectorDistance ?? null,
    citation: {
      title: input.title,
      ...(input.url ? { url: input.url } : {}),
      headingPath: input.headingPath ?? [],
    },
    language: 'en',
    ...(input.inboxId === undefined ? {} : { inboxId: input.inboxId }),
  }));
  const words = (text: string) =>
    new Set(
      text
        .toLowerCase()
        .normalize('NFD')
        .replace(/\p{Mn}/gu, '')
        .split(/[^\p{L}\p{N}]+/u)
        .filter((w) => w.length > 2),
    );
  const fake = {
    queries: [] as KnowledgeSearchQuery[],
    failWith: undefined as Error | undefined,
    search(query: KnowledgeSearchQuery): Promise<readonly KnowledgePassage[]> {
      fake.queries.push(query);
      if (fake.failWith) return Promise.reject(fake.failWith);
      const queryWords = words(query.query);
      const ranked = passages
        .filter((passage) => passage.inboxId === undefined || passage.inboxId === query.inboxId)
        .map((passage) => {
          const shared = [...words(passage.content)].filter((word) => queryWords.has(word)).length;
          return { passage, shared };
        })
        .filter(({ shared, passage }) => shared > 0 || passage.vectorDistance !== null)
        .sort((a, b) => b.shared - a.shared)
        .slice(0, query.limit ?? 5);
      return Promise.resolve(
        ranked.map(({ passage, shared }, rank) => {
          const { inboxId: _inboxId, ...rest } = passage;
          return { ...rest, score: 1 / (60 + rank + 1), fullTextRank: shared / 10 };
        }),
      );
    },
  };
  return fake;
}
