import { AppError } from '../../errors/app-error.ts';
import { coerceError } from '../../errors/coerce-error.ts';
import type { ExtractedDocument } from '../extracted-document.ts';
import {
  ingestDocuments,
  type IngestDeps,
  type IngestDocumentsInput,
  type IngestResult,
} from './ingest-documents.ts';
import { createKnowledgeSourceRepository, type KnowledgeSource } from './knowledge-source-repository.ts';

/** Turns a source's location into its current documents (files, pages, help-centre articles). */
export type LoadSourceDocuments = (
  source: KnowledgeSource,
  signal?: AbortSignal,
) => Iterable<ExtractedDocument> | AsyncIterable<ExtractedDocument>;

export interface SyncSourceDeps extends IngestDeps {
  readonly loadDocuments: LoadSourceDocuments;
}

export type SyncSourceInput = Omit<IngestDocumentsInput, 'documents' | 'sourceId'> & {
  readonly sourceId: number;
};

/**
 * `sources sync`: re-reads a source and ingests what changed, tracking status on the source row: `syncing`, then
 * `ready` (with the count and, if some documents failed, a summary in `last_error`) or `error`.
 */
export async function syncSource(deps: SyncSourceDeps, input: SyncSourceInput): Promise<IngestResult> {
  const sources = createKnowledgeSourceRepository(deps.db);
  const source = await sources.findById(input.sourceId);
  if (!source)
    throw new AppError('not_found', { message: `knowledge source ${input.sourceId} does not exist` });
  await sources.markSyncing(source.id);
  try {
    const result = await ingestDocuments(deps, {
      ...input,
      documents: deps.loadDocuments(source, input.signal),
    });
    const failures = result.failed.map((failure) => `${failure.sourceUri}: ${failure.error.message}`);
    await sources.markSynced(
      source.id,
      result.documentCount,
      failures.length > 0 ? summarise(failures) : null,
    );
    return result;
  } catch (thrown) {
    const error = coerceError(thrown);
    await sources.markFailed(source.id, error.message).catch(() => undefined);
    throw error;
  }
}

function summarise(failures: readonly string[]): string {
  const shown = failures.slice(0, 5).join('; ');
  return failures.length > 5
    ? `${failures.length} documents failed: ${shown}; …`
    : `${failures.length} documents failed: ${shown}`;
}
