/**
 * Retrieval evaluation on the ACME sample help centre: `npx tsx bench/search/run-retrieval-eval.ts`.
 * Uses the embedding provider from the usual EMBEDDING_* settings when one is configured (hybrid
 * search), full-text search alone otherwise. Runs on a throw-away in-memory PGlite.
 */
import { loadConfig } from '../../src/config/load-config.ts';
import { createMemoryDatabase } from '../../src/db/create-database.ts';
import { migrateDatabase } from '../../src/db/migrate-database.ts';
import { createEmbedderFromConfig } from '../../src/knowledge/embed/create-embedder-from-config.ts';
import {
  ACME_SHOP_RETRIEVAL_DATASET,
  ingestSampleKnowledgeBase,
} from '../../src/knowledge/eval/ingest-sample-knowledge-base.ts';
import { runRetrievalEval } from '../../src/knowledge/eval/run-retrieval-eval.ts';
import { createKnowledgeSearch } from '../../src/knowledge/search/create-knowledge-search.ts';

const config = loadConfig();
const embedder = createEmbedderFromConfig(config.embedding);
const handle = await createMemoryDatabase();
try {
  await migrateDatabase(handle);
  const started = performance.now();
  const { result } = await ingestSampleKnowledgeBase({ db: handle.db, ...(embedder ? { embedder } : {}) });
  console.log(
    `ingested ${result.documentCount} documents, ${result.chunksInserted} passages, ${result.chunksEmbedded} embedded in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  console.log(`mode: ${embedder ? `hybrid (${embedder.key})` : 'full-text only (no EMBEDDING_PROVIDER)'}`);
  const search = createKnowledgeSearch({ db: handle.db, ...(embedder ? { embedder } : {}) });
  const report = await runRetrievalEval({ search, print: console.log }, ACME_SHOP_RETRIEVAL_DATASET, {
    verbose: process.argv.includes('--verbose'),
  });
  console.log(`${report.questions - report.misses.length} passed, ${report.misses.length} failed`);
} finally {
  await handle.close();
}
