import { AppError } from '../../errors/app-error.ts';
import type { IngestDeps } from './ingest-documents.ts';
import { createKnowledgeSourceRepository } from './knowledge-source-repository.ts';
import { refreshLexemeStats } from './refresh-lexeme-stats.ts';

/** `sources remove`: deletes a source and everything ingested from it; `not_found` if absent. */
export async function removeSource(deps: Pick<IngestDeps, 'db'>, sourceId: number): Promise<void> {
  const removed = await createKnowledgeSourceRepository(deps.db).remove(sourceId);
  if (!removed) throw new AppError('not_found', { message: `knowledge source ${sourceId} does not exist` });
  await refreshLexemeStats(deps.db);
}
