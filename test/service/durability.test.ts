import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';

import { createDatabase } from '../../src/db/create-database.ts';
import { queryRows } from '../../src/db/query-rows.ts';
import { loadFixture, signedRequest } from '../setup/signed-delivery.ts';
import { spawnService, waitUntilReady } from './spawn-service.ts';

const SECRET = 'durability-secret-0123456789';

describe('embedded default: durability and the data directory lock', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cwa-durable-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('a delivery acknowledged by a process killed with SIGKILL is there after restart', async () => {
    const service = await spawnService({ DATA_DIR: dataDir, CHATWOOT_WEBHOOK_SECRET: SECRET });
    await waitUntilReady(service);
    const request = signedRequest(loadFixture('message_created.incoming'), {
      secret: SECRET,
      deliveryId: 'durable-1',
    });
    const response = await fetch(`${service.url}/webhooks/chatwoot`, {
      method: 'POST',
      headers: request.headers,
      body: request.payload,
    });
    expect(response.status).toBe(200);
    service.child.kill('SIGKILL');
    await service.exited;

    // The stale lock of the killed process is taken over at once; the acknowledged rows are there.
    const database = await createDatabase({ kind: 'pglite', dataDir: path.join(dataDir, 'pglite') });
    try {
      const [row] = await queryRows<{ deliveries: number; messages: number; repliesDue: number }>(
        database.db,
        sql`select (select count(*)::int from webhook_deliveries where delivery_id = 'durable-1') as deliveries,
                   (select count(*)::int from transcript_messages) as messages,
                   (select count(*)::int from conversations where reply_due_at is not null) as "repliesDue"`,
      );
      expect(row).toEqual({ deliveries: 1, messages: 1, repliesDue: 1 });
    } finally {
      await database.close();
    }
  });

  it('a second process on the same data directory fails with a clear message', async () => {
    const first = await spawnService({ DATA_DIR: dataDir, CHATWOOT_WEBHOOK_SECRET: SECRET });
    await waitUntilReady(first);
    try {
      const second = await spawnService({ DATA_DIR: dataDir, CHATWOOT_WEBHOOK_SECRET: SECRET });
      const code = await second.exited;
      expect(code).not.toBe(0);
      expect(second.output()).toContain('is in use by another chatwoot-agent process');
    } finally {
      first.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);
    }
  });
});
