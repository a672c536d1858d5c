import { describe, expect, it } from 'vitest';

import {
  isExpectedDocument,
  percentile,
  retrievalMetrics,
} from '../../src/knowledge/eval/retrieval-metrics.ts';
import { detectLanguage } from '../../src/knowledge/search/detect-language.ts';
import { textSearchConfigFor } from '../../src/knowledge/search/text-search-config.ts';
import { weighQueryTerms } from '../../src/knowledge/search/weigh-query-terms.ts';
import { planChunkChanges } from '../../src/knowledge/store/plan-chunk-changes.ts';

describe('textSearchConfigFor', () => {
  it.each([
    ['pt', 'portuguese'],
    ['pt-BR', 'portuguese'],
    ['ES', 'spanish'],
    ['en_GB', 'english'],
    ['fr', 'french'],
    ['de', 'german'],
    ['it', 'italian'],
    ['nl', 'dutch'],
    ['ru', 'russian'],
    ['tr', 'turkish'],
    ['ja', 'simple'],
    ['und', 'simple'],
    [undefined, 'simple'],
  ])('%s → %s', (language, config) => {
    expect(textSearchConfigFor(language)).toBe(config);
  });
});

describe('detectLanguage', () => {
  it.each([
    ['Quero devolver o tênis que comprei, chegou com defeito', undefined, 'pt'],
    ['¿Cuánto tarda el envío a Canarias?', undefined, 'es'],
    ['How long does standard shipping take?', undefined, 'en'],
    ['reset password', ['en', 'pt', 'es'], 'en'],
    ['cambio de talla', ['en', 'pt', 'es'], 'es'],
    ['hola', undefined, undefined],
    ['?!', undefined, undefined],
  ] as const)('%s → %s', (text, candidates, expected) => {
    expect(detectLanguage(text, candidates ? { candidates } : {})).toBe(expected);
  });
});

describe('weighQueryTerms', () => {
  const token = (word: string, stems: string[], stemCounts: number[], wordCount: number) => ({
    word,
    stems,
    stemChunkCounts: stemCounts,
    wordChunkCount: wordCount,
  });

  it('weighs rare words above common ones and keeps common words out of the candidate filter', () => {
    const weighted = weighQueryTerms({
      totalChunks: 10_000,
      tokens: [
        token('pedido', ['pedid'], [6000], 5500),
        token('manaus', ['manaus'], [3], 3),
        token('entrega', ['entreg'], [120], 80),
        token('prazo', ['praz'], [90], 70),
      ],
    });
    expect(weighted.terms.map((term) => term.chunkCount)).toEqual([3, 90, 120, 6000]);
    expect(weighted.terms[0]!.weight).toBeGreaterThan(weighted.terms[3]!.weight * 5);
    expect(weighted.matchQuery).toContain("'manaus'");
    expect(weighted.matchQuery).not.toContain("'pedid'");
    expect(weighted.totalWeight).toBeCloseTo(
      weighted.terms.reduce((sum, term) => sum + term.weight, 0),
      9,
    );
  });

  it('selects candidates by the rarest terms within the budget, never fewer than the minimum', () => {
    const tokens = [
      token('alpha', [], [], 900),
      token('beta', [], [], 1500),
      token('gamma', [], [], 2000),
      token('typo', [], [], 0),
    ];
    const match = (candidateBudget: number) =>
      weighQueryTerms({ totalChunks: 10_000, tokens }, { candidateBudget, minMatchTerms: 1 }).matchQuery;
    expect(match(2500)).toBe("('typo') | ('alpha') | ('beta')");
    expect(match(100)).toBe("('typo') | ('alpha')");
    expect(match(10_000)).toBe("('typo') | ('alpha') | ('beta') | ('gamma')");
  });

  it('matches stem, bare word and, for long stems, a shorter prefix over stems only', () => {
    const [term] = weighQueryTerms({
      totalChunks: 10,
      tokens: [token('devolucao', ['devoluca'], [2], 1)],
    }).terms;
    expect(term!.query).toBe("'devoluca' | 'devolucao' | 'devolu':*AB");
    expect(term!.indexQuery).toBe("'devoluca' | 'devolucao' | 'devolu':*");
    expect(term!.headingQuery).toBe("'devoluca':AC | 'devolucao':AC | 'devolu':*A");
  });

  it('quotes lexemes so the tsquery parser takes them verbatim', () => {
    const [term] = weighQueryTerms({ totalChunks: 10, tokens: [token("d'água", [], [], 1)] }).terms;
    expect(term!.query).toBe("'d''água'");
  });

  it('merges repeated words and always keeps a few terms to match on', () => {
    const weighted = weighQueryTerms({
      totalChunks: 10,
      tokens: [
        token('order', ['order'], [9], 9),
        token('order', ['order'], [9], 9),
        token('orders', ['order'], [9], 2),
      ],
    });
    expect(weighted.terms).toHaveLength(2);
    expect(weighted.matchQuery).not.toBeNull();
  });

  it('has nothing to match without words', () => {
    expect(weighQueryTerms({ totalChunks: 10, tokens: [] })).toEqual({
      terms: [],
      matchQuery: null,
      totalWeight: 0,
    });
  });
});

describe('planChunkChanges', () => {
  const existing = [
    { id: 1, chunkIndex: 0, contentHash: 'a' },
    { id: 2, chunkIndex: 1, contentHash: 'b' },
    { id: 3, chunkIndex: 2, contentHash: 'c' },
  ];
  it.each([
    [
      'unchanged',
      ['a', 'b', 'c'],
      [
        [1, 0],
        [2, 1],
        [3, 2],
      ],
      [],
      [],
    ],
    [
      'middle edited',
      ['a', 'B', 'c'],
      [
        [1, 0],
        [3, 2],
      ],
      ['B'],
      [2],
    ],
    [
      'paragraph inserted at the top',
      ['z', 'a', 'b', 'c'],
      [
        [1, 1],
        [2, 2],
        [3, 3],
      ],
      ['z'],
      [],
    ],
    [
      'last removed',
      ['a', 'b'],
      [
        [1, 0],
        [2, 1],
      ],
      [],
      [3],
    ],
    ['duplicate text kept once per copy', ['a', 'a'], [[1, 0]], ['a'], [2, 3]],
  ] as const)('%s', (_name, incoming, keep, insert, remove) => {
    const plan = planChunkChanges(
      existing,
      incoming.map((contentHash, chunkIndex) => ({ contentHash, chunkIndex })),
    );
    expect(plan.keep.map((kept) => [kept.id, kept.chunkIndex])).toEqual(keep);
    expect(plan.insert.map((chunk) => chunk.contentHash)).toEqual(insert);
    expect(plan.remove).toEqual(remove);
  });
});

describe('retrieval metrics', () => {
  it('computes hit@1, hit@5, MRR and latency percentiles', () => {
    const metrics = retrievalMetrics([
      { rank: 1, latencyMs: 10 },
      { rank: 3, latencyMs: 20 },
      { rank: 7, latencyMs: 30 },
      { rank: null, latencyMs: 40 },
    ]);
    expect(metrics).toEqual({
      questions: 4,
      hitAt1: 0.25,
      hitAt5: 0.5,
      mrr: (1 + 1 / 3 + 1 / 7) / 4,
      latencyMs: { p50: 20, p95: 40, max: 40 },
    });
  });

  it('takes nearest-rank percentiles', () => {
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.95)).toBe(10);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.5)).toBe(5);
    expect(percentile([], 0.5)).toBe(0);
  });

  it('counts any document of an FAQ table as that table', () => {
    expect(isExpectedDocument('faq.csv#faq-pt', 'faq.csv')).toBe(true);
    expect(isExpectedDocument('faq.csv', 'faq.csv')).toBe(true);
    expect(isExpectedDocument('faq.csv.bak', 'faq.csv')).toBe(false);
  });
});
