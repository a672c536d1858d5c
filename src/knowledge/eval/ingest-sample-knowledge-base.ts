import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { extractDirectory } from '../extract/extract-directory.ts';
import { ingestDocuments, type IngestDeps, type IngestResult } from '../store/ingest-documents.ts';
import { addSource } from '../store/add-source.ts';

/** knowledge-samples/acme-shop, the fictional shop's help centre and its retrieval dataset. */
export const ACME_SHOP_SAMPLE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../knowledge-samples/acme-shop',
);
export const ACME_SHOP_HELP_CENTRE = path.join(ACME_SHOP_SAMPLE, 'help-centre');
export const ACME_SHOP_RETRIEVAL_DATASET = path.join(ACME_SHOP_SAMPLE, 'eval', 'retrieval.jsonl');

/** Adds a directory source for `directory` (default: the ACME help centre) and ingests it. */
export async function ingestSampleKnowledgeBase(
  deps: IngestDeps,
  directory: string = ACME_SHOP_HELP_CENTRE,
): Promise<{ readonly sourceId: number; readonly result: IngestResult }> {
  const extracted = await extractDirectory(directory);
  if (extracted.errors.length > 0) {
    throw new Error(
      `sample knowledge base: ${extracted.errors.map((failure) => failure.sourceUri).join(', ')} failed to extract`,
    );
  }
  const source = await addSource(deps, {
    kind: 'directory',
    location: directory,
    name: path.basename(directory),
  });
  const result = await ingestDocuments(deps, { sourceId: source.id, documents: extracted.documents });
  return { sourceId: source.id, result };
}
