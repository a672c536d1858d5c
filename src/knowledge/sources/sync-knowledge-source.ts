import { syncSource } from '../store/sync-source.ts';
import type { IngestDeps, IngestProgress, IngestResult } from '../store/ingest-documents.ts';
import { loadSourceDocuments, type LoadedDocuments, type SourceLoaderDeps } from './load-source-documents.ts';
import { createKnowledgeSourceRepository } from '../store/knowledge-source-repository.ts';
import { AppError } from '../../errors/app-error.ts';

export interface SyncKnowledgeSourceResult {
  readonly result: IngestResult;
  readonly loadErrors: LoadedDocuments['errors'];
}

/**
 * Re-reads one source and ingests what changed (content hashes); documents that disappeared are
 * removed — but only when the listing was complete, so a page that failed to load this time is
 * kept rather than deleted.
 */
export async function syncKnowledgeSource(
  deps: IngestDeps & SourceLoaderDeps,
  input: {
    readonly sourceId: number;
    readonly onProgress?: (progress: IngestProgress) => void;
    readonly signal?: AbortSignal;
  },
): Promise<SyncKnowledgeSourceResult> {
  const source = await createKnowledgeSourceRepository(deps.db).findById(input.sourceId);
  if (!source)
    throw new AppError('not_found', { message: `knowledge source ${input.sourceId} does not exist` });
  const sources = createKnowledgeSourceRepository(deps.db);
  await sources.markSyncing(source.id);
  let loaded: LoadedDocuments;
  try {
    loaded = await loadSourceDocuments(deps, source, input.signal);
  } catch (error) {
    await sources.markFailed(source.id, (error as Error).message).catch(() => undefined);
    throw error;
  }
  const result = await syncSource(
    { ...deps, loadDocuments: () => loaded.documents },
    {
      sourceId: source.id,
      isComplete: loaded.errors.length === 0,
      ...(input.onProgress ? { onProgress: input.onProgress } : {}),
      ...(input.signal ? { signal: input.signal } : {}),
    },
  );
  return { result, loadErrors: loaded.errors };
}
