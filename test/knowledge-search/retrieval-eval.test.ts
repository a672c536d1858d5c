import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { DatabaseHandle } from '../../src/db/database.ts';
import {
  ACME_SHOP_RETRIEVAL_DATASET,
  ingestSampleKnowledgeBase,
} from '../../src/knowledge/eval/ingest-sample-knowledge-base.ts';
import { runRetrievalEval } from '../../src/knowledge/eval/run-retrieval-eval.ts';
import { createKnowledgeSearch } from '../../src/knowledge/search/create-knowledge-search.ts';
import { createTestDatabase } from '../setup/test-database.ts';

describe('retrieval evaluation on the ACME sample help centre', () => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await createTestDatabase();
    const { result } = await ingestSampleKnowledgeBase(handle);
    expect(result.failed).toEqual([]);
    expect(result.documentCount).toBeGreaterThanOrEqual(19);
  });
  afterAll(async () => {
    await handle.close();
  });

  it('finds the expected document in the top 5 for at least 85% of questions with full text alone', async () => {
    const lines: string[] = [];
    const report = await runRetrievalEval(
      { search: createKnowledgeSearch(handle), print: (line) => lines.push(line) },
      ACME_SHOP_RETRIEVAL_DATASET,
    );
    expect(report.questions).toBeGreaterThanOrEqual(60);
    expect(report.hitAt5, JSON.stringify(report.misses, null, 2)).toBeGreaterThanOrEqual(0.85);
    expect(report.hitAt1).toBeGreaterThanOrEqual(0.7);
    expect(report.mrr).toBeGreaterThan(report.hitAt1 - 0.001);
    expect(lines.at(-1)).toMatch(/hit@1 .* hit@5 .* MRR .* p50 .* p95/);
  });
});
