import type { IngestDeps } from './ingest-documents.ts';
import {
  createKnowledgeSourceRepository,
  type KnowledgeSource,
  type NewKnowledgeSource,
} from './knowledge-source-repository.ts';

/** `sources add`: registers a source; nothing is fetched until it is synced. */
export async function addSource(
  deps: Pick<IngestDeps, 'db'>,
  input: NewKnowledgeSource,
): Promise<KnowledgeSource> {
  return createKnowledgeSourceRepository(deps.db).create(input);
}
