import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { DatabaseHandle } from '../../src/db/database.ts';
import { isAppError } from '../../src/errors/app-error.ts';
import type { ExtractedDocument } from '../../src/knowledge/extracted-document.ts';
import { createKnowledgeSourceRepository } from '../../src/knowledge/store/knowledge-source-repository.ts';
import { addSource } from '../../src/knowledge/store/add-source.ts';
import { listSources } from '../../src/knowledge/store/list-sources.ts';
import { removeSource } from '../../src/knowledge/store/remove-source.ts';
import { syncSource } from '../../src/knowledge/store/sync-source.ts';
import { queryRows } from '../../src/db/query-rows.ts';
import { createTestDatabase } from '../setup/test-database.ts';
import { markdownDocument } from './documents.ts';

describe('knowledge sources: add, list, sync with status, remove', () => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await createTestDatabase();
  });
  afterAll(async () => {
    await handle.close();
  });

  it('tracks a sync: documents counted, status ready, failures summarised', async () => {
    const source = await addSource(handle, {
      kind: 'url',
      location: 'https://help.example/faq',
      inboxIds: [4, 5],
      schedule: '24h',
    });
    expect(source).toMatchObject({
      status: 'pending',
      inboxIds: [4, 5],
      documentCount: 0,
      lastSyncedAt: null,
    });

    const documents: ExtractedDocument[] = [
      markdownDocument('https://help.example/a', 'A', 'Alpha article about parcels.'),
      markdownDocument('https://help.example/b', 'B', 'Beta article about refunds.'),
    ];
    const statuses: string[] = [];
    const result = await syncSource(
      {
        db: handle.db,
        loadDocuments: async function* (loaded) {
          statuses.push((await createKnowledgeSourceRepository(handle.db).findById(loaded.id))!.status);
          yield* documents;
        },
      },
      { sourceId: source.id },
    );
    expect(result.added).toBe(2);
    expect(statuses).toEqual(['syncing']);
    const [listed] = await listSources(handle);
    expect(listed).toMatchObject({ id: source.id, status: 'ready', documentCount: 2, lastError: null });
    expect(listed!.lastSyncedAt).toBeInstanceOf(Date);
  });

  it('records a failed sync on the source and rethrows', async () => {
    const source = await addSource(handle, { kind: 'sitemap', location: 'https://down.example/sitemap.xml' });
    await expect(
      syncSource(
        {
          db: handle.db,
          // eslint-disable-next-line require-yield
          loadDocuments: async function* () {
            await Promise.resolve();
            throw new Error('sitemap answered 503');
          },
        },
        { sourceId: source.id },
      ),
    ).rejects.toThrow('sitemap answered 503');
    const stored = await createKnowledgeSourceRepository(handle.db).findById(source.id);
    expect(stored).toMatchObject({ status: 'error', lastError: 'sitemap answered 503' });
  });

  it('refuses a second source with the same kind and location', async () => {
    await addSource(handle, { kind: 'file', location: '/kb/one.pdf' });
    await expect(addSource(handle, { kind: 'file', location: '/kb/one.pdf' })).rejects.toThrow();
  });

  it('removes a source with its documents, passages and statistics', async () => {
    const source = await addSource(handle, { kind: 'directory', location: '/kb/removable' });
    await syncSource(
      { db: handle.db, loadDocuments: () => [markdownDocument('x.md', 'X', 'Quokka facts for removal.')] },
      { sourceId: source.id },
    );
    const count = async () =>
      (
        await queryRows<{ documents: number; lexemes: number }>(
          handle.db,
          sql`select (select count(*)::int from knowledge_documents where source_id = ${source.id}) as documents,
                     (select count(*)::int from knowledge_lexemes where lexeme = 'quokka') as lexemes`,
        )
      )[0]!;
    expect(await count()).toEqual({ documents: 1, lexemes: 1 });
    await removeSource(handle, source.id);
    expect(await count()).toEqual({ documents: 0, lexemes: 0 });
    await expect(removeSource(handle, source.id)).rejects.toSatisfy((error) =>
      isAppError(error, 'not_found'),
    );
  });
});
