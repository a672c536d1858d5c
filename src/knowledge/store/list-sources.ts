import type { IngestDeps } from './ingest-documents.ts';
import { createKnowledgeSourceRepository, type KnowledgeSource } from './knowledge-source-repository.ts';

/** `sources list`: every source with its status, document count and last sync, newest first. */
export async function listSources(deps: Pick<IngestDeps, 'db'>): Promise<KnowledgeSource[]> {
  return createKnowledgeSourceRepository(deps.db).list();
}
