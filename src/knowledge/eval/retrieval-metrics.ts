/** One evaluated question: the 1-based rank of the first passage from the expected document, or null. */
export interface RankedAnswer {
  readonly rank: number | null;
  readonly latencyMs: number;
}

export interface RetrievalMetrics {
  readonly questions: number;
  readonly hitAt1: number;
  readonly hitAt5: number;
  /** Mean reciprocal rank over the retrieved list (0 for a miss). */
  readonly mrr: number;
  readonly latencyMs: { readonly p50: number; readonly p95: number; readonly max: number };
}

export function retrievalMetrics(answers: readonly RankedAnswer[]): RetrievalMetrics {
  const count = answers.length;
  const share = (predicate: (answer: RankedAnswer) => boolean): number =>
    count === 0 ? 0 : answers.filter(predicate).length / count;
  const latencies = answers.map((answer) => answer.latencyMs).sort((a, b) => a - b);
  return {
    questions: count,
    hitAt1: share((answer) => answer.rank === 1),
    hitAt5: share((answer) => answer.rank !== null && answer.rank <= 5),
    mrr:
      count === 0 ? 0 : answers.reduce((sum, answer) => sum + (answer.rank ? 1 / answer.rank : 0), 0) / count,
    latencyMs: {
      p50: percentile(latencies, 0.5),
      p95: percentile(latencies, 0.95),
      max: latencies.at(-1) ?? 0,
    },
  };
}

/** Nearest-rank percentile of ascending values. */
export function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return 0;
  const position = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[position]!;
}

/**
 * Whether a retrieved document is the expected one. An FAQ table becomes several documents
 * (`faq.csv#faq-pt`), so an expected `faq.csv` covers all of them.
 */
export function isExpectedDocument(retrievedUri: string, expectedUri: string): boolean {
  return retrievedUri === expectedUri || retrievedUri.startsWith(`${expectedUri}#`);
}
