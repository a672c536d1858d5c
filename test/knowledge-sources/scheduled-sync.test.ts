import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { DatabaseHandle } from '../../src/db/database.ts';
import { createSafeFetch } from '../../src/knowledge/fetch/create-safe-fetch.ts';
import { isSyncDue, parseSyncInterval } from '../../src/knowledge/sources/parse-sync-interval.ts';
import { syncDueSources } from '../../src/knowledge/sources/sync-due-sources.ts';
import { createKnowledgeSourceRepository } from '../../src/knowledge/store/knowledge-source-repository.ts';
import { createLogger } from '../../src/logging/create-logger.ts';
import { createTestDatabase } from '../setup/test-database.ts';

describe('sync intervals', () => {
  it.each([
    ['30m', 1_800_000],
    ['6h', 21_600_000],
    ['1d', 86_400_000],
    ['2H', 7_200_000],
    ['4m', null],
    ['often', null],
    ['10', null],
  ])('%s → %s', (text, expected) => {
    expect(parseSyncInterval(text)).toBe(expected);
  });

  it('a source is due when never synced or its interval has passed, never while syncing or unscheduled', () => {
    const now = new Date('2026-11-25T12:00:00Z');
    const hourAgo = new Date('2026-11-25T11:00:00Z');
    expect(isSyncDue({ schedule: '1h', lastSyncedAt: null, status: 'pending' }, now)).toBe(true);
    expect(isSyncDue({ schedule: '1h', lastSyncedAt: hourAgo, status: 'ready' }, now)).toBe(true);
    expect(isSyncDue({ schedule: '2h', lastSyncedAt: hourAgo, status: 'ready' }, now)).toBe(false);
    expect(isSyncDue({ schedule: '1h', lastSyncedAt: hourAgo, status: 'syncing' }, now)).toBe(false);
    expect(isSyncDue({ schedule: null, lastSyncedAt: null, status: 'pending' }, now)).toBe(false);
  });
});

describe('syncDueSources (the knowledge-sync job)', () => {
  let handle: DatabaseHandle;
  const folder = mkdtempSync(path.join(os.tmpdir(), 'cwa-scheduled-'));
  beforeAll(async () => {
    handle = await createTestDatabase();
  });
  afterAll(async () => {
    await handle.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('re-syncs only the sources that are due, picking up changes and removals', async () => {
    writeFileSync(path.join(folder, 'shipping.md'), '# Shipping\n\nWe ship in 3 days.\n');
    writeFileSync(path.join(folder, 'returns.md'), '# Returns\n\nReturns within 30 days.\n');
    const sources = createKnowledgeSourceRepository(handle.db);
    const scheduled = await sources.create({ kind: 'directory', location: folder, schedule: '1h' });
    const manualFolder = mkdtempSync(path.join(os.tmpdir(), 'cwa-manual-'));
    writeFileSync(path.join(manualFolder, 'faq.md'), '# FAQ\n\nAsk us anything.\n');
    const manual = await sources.create({ kind: 'directory', location: manualFolder, name: 'manual' });
    const deps = { db: handle.db, logger: createLogger({ level: 'silent' }), fetch: createSafeFetch() };

    expect(await syncDueSources(deps, new Date())).toEqual([scheduled.id]);
    expect((await sources.findById(scheduled.id))?.documentCount).toBe(2);
    // Not due again ten minutes later.
    expect(await syncDueSources(deps, new Date(Date.now() + 10 * 60_000))).toEqual([]);

    writeFileSync(path.join(folder, 'shipping.md'), '# Shipping\n\nWe ship in 2 days now.\n');
    rmSync(path.join(folder, 'returns.md'));
    expect(await syncDueSources(deps, new Date(Date.now() + 2 * 3_600_000))).toEqual([scheduled.id]);
    const after = await sources.findById(scheduled.id);
    expect(after?.documentCount).toBe(1);
    expect(after?.status).toBe('ready');
    expect((await sources.findById(manual.id))?.lastSyncedAt).toBeNull();
    rmSync(manualFolder, { recursive: true, force: true });
  });
});
