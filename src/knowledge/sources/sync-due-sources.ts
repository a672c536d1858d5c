import { coerceError } from '../../errors/coerce-error.ts';
import type { Logger } from '../../logging/create-logger.ts';
import type { IngestDeps } from '../store/ingest-documents.ts';
import { createKnowledgeSourceRepository } from '../store/knowledge-source-repository.ts';
import type { SourceLoaderDeps } from './load-source-documents.ts';
import { isSyncDue } from './parse-sync-interval.ts';
import { syncKnowledgeSource } from './sync-knowledge-source.ts';

/**
 * The `knowledge-sync` job: re-syncs every source whose schedule says it is due, one after the
 * other (a sync changes only what changed). A failing source is recorded on its row and does not
 * stop the others. Returns the ids it synced.
 */
export async function syncDueSources(
  deps: IngestDeps & SourceLoaderDeps & { readonly logger: Logger },
  now: Date,
): Promise<number[]> {
  const sources = await createKnowledgeSourceRepository(deps.db).list();
  const synced: number[] = [];
  for (const source of sources.filter((candidate) => isSyncDue(candidate, now))) {
    try {
      const { result, loadErrors } = await syncKnowledgeSource(deps, { sourceId: source.id });
      deps.logger.info(
        {
          sourceId: source.id,
          added: result.added,
          updated: result.updated,
          removed: result.removed,
          loadErrors: loadErrors.length,
        },
        'scheduled knowledge sync done',
      );
      synced.push(source.id);
    } catch (error) {
      deps.logger.warn({ sourceId: source.id, err: coerceError(error) }, 'scheduled knowledge sync failed');
    }
  }
  return synced;
}
