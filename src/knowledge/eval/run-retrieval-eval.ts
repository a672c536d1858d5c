import { readFile } from 'node:fs/promises';

import { z } from 'zod';

import type { KnowledgeSearch } from '../knowledge-search.ts';
import {
  isExpectedDocument,
  type RankedAnswer,
  retrievalMetrics,
  type RetrievalMetrics,
} from './retrieval-metrics.ts';

const evalLine = z.object({
  question: z.string().min(1),
  language: z.string().min(2).optional(),
  expected_document: z.string().min(1),
});

export type RetrievalEvalQuestion = z.infer<typeof evalLine>;

export interface RetrievalEvalDeps {
  readonly search: KnowledgeSearch;
  /** Maps a passage to its document's source URI (the citation URL is the URI for files). */
  readonly documentUriOf?: (passage: { readonly citation: { readonly url?: string } }) => string;
  readonly now?: () => number;
  /** Where the report lines go (e.g. console.log); silent when absent. */
  readonly print?: (line: string) => void;
}

export interface RetrievalEvalOptions {
  /** Passages retrieved per question; MRR is computed over them. Default 10. */
  readonly limit?: number;
  readonly inboxId?: number;
  /** Pass the dataset's language to the search instead of letting it detect (default false: customers do not declare it). */
  readonly useDeclaredLanguage?: boolean;
  /** Print every miss and late hit (rank > 1). */
  readonly verbose?: boolean;
}

export interface RetrievalEvalResult extends RetrievalMetrics {
  readonly misses: readonly {
    readonly question: string;
    readonly expected: string;
    readonly retrieved: readonly string[];
  }[];
}

/**
 * Runs every question of a JSONL dataset (`{question, language, expected_document}` per line)
 * through the search and reports hit@1, hit@5, MRR and latency percentiles. Questions run one at a
 * time so latencies are not inflated by each other.
 */
export async function runRetrievalEval(
  deps: RetrievalEvalDeps,
  datasetPath: string,
  options: RetrievalEvalOptions = {},
): Promise<RetrievalEvalResult> {
  const questions = parseDataset(await readFile(datasetPath, 'utf8'), datasetPath);
  const now = deps.now ?? (() => performance.now());
  const uriOf = deps.documentUriOf ?? ((passage) => passage.citation.url ?? '');
  const limit = options.limit ?? 10;
  const answers: RankedAnswer[] = [];
  const misses: RetrievalEvalResult['misses'][number][] = [];
  for (const item of questions) {
    const started = now();
    const passages = await deps.search.search({
      query: item.question,
      limit,
      ...(options.inboxId !== undefined ? { inboxId: options.inboxId } : {}),
      ...(options.useDeclaredLanguage && item.language ? { language: item.language } : {}),
    });
    const latencyMs = now() - started;
    const retrieved = passages.map(uriOf);
    const position = retrieved.findIndex((uri) => isExpectedDocument(uri, item.expected_document));
    const rank = position === -1 ? null : position + 1;
    answers.push({ rank, latencyMs });
    if (rank === null || rank > 5)
      misses.push({
        question: item.question,
        expected: item.expected_document,
        retrieved: retrieved.slice(0, 5),
      });
    if (options.verbose && rank !== 1) {
      deps.print?.(
        `  rank ${rank ?? '-'}  ${item.question}  → expected ${item.expected_document}, got ${retrieved.slice(0, 3).join(', ')}`,
      );
    }
  }
  const metrics = retrievalMetrics(answers);
  deps.print?.(formatMetrics(metrics));
  return { ...metrics, misses };
}

export function formatMetrics(metrics: RetrievalMetrics): string {
  const percent = (value: number): string => `${(value * 100).toFixed(1)}%`;
  return [
    `questions ${metrics.questions}`,
    `hit@1 ${percent(metrics.hitAt1)}`,
    `hit@5 ${percent(metrics.hitAt5)}`,
    `MRR ${metrics.mrr.toFixed(3)}`,
    `latency p50 ${metrics.latencyMs.p50.toFixed(1)} ms`,
    `p95 ${metrics.latencyMs.p95.toFixed(1)} ms`,
  ].join(' | ');
}

function parseDataset(text: string, path: string): RetrievalEvalQuestion[] {
  return text
    .split('\n')
    .map((line, index) => ({ line: line.trim(), number: index + 1 }))
    .filter(({ line }) => line.length > 0)
    .map(({ line, number }) => {
      const parsed = evalLine.safeParse(JSON.parse(line));
      if (!parsed.success) throw new Error(`${path}:${number}: ${parsed.error.message}`);
      return parsed.data;
    });
}
