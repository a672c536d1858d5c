import { randomUUID } from 'node:crypto';

import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createDatabase } from '../../src/db/create-database.ts';
import type { DatabaseHandle } from '../../src/db/database.ts';
import { queryRows } from '../../src/db/query-rows.ts';
import { warmPool } from '../../src/db/warm-pool.ts';
import { REPLY_QUEUE_WARM_UP } from '../../src/jobs/create-reply-queue.ts';
import { createTestDatabase, isRealServer } from '../setup/test-database.ts';

const QUEUE_TABLES = ['conversations', 'reply_decisions', 'outbound_messages', 'transcript_messages'];

async function rowCounts(handle: DatabaseHandle): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of QUEUE_TABLES) {
    const [row] = await queryRows<{ n: number }>(
      handle.db,
      sql.raw(`select count(*)::int as n from ${table}`),
    );
    counts[table] = row!.n;
  }
  return counts;
}

describe('warmPool (db/warm-pool.ts)', () => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await createTestDatabase();
  });
  afterAll(async () => {
    await handle.close();
  });

  it.runIf(isRealServer())(
    "opens every connection of the pool, runs the reply queue's warm-up on each without error, and changes nothing",
    async () => {
      if (handle.kind !== 'postgres') throw new Error('expected the real server');
      const before = await rowCounts(handle);
      const errors: unknown[] = [];
      await warmPool(handle, REPLY_QUEUE_WARM_UP, (error) => errors.push(error));
      expect(errors).toEqual([]);
      const max = handle.pool.options.max;
      expect(handle.pool.totalCount).toBe(max);
      expect(handle.pool.idleCount).toBe(max);
      const [backends] = await queryRows<{ n: number }>(
        handle.db,
        sql`select count(*)::int as n from pg_stat_activity
             where datname = current_database() and application_name = 'chatwoot-agent'`,
      );
      expect(backends!.n).toBe(max);
      expect(await rowCounts(handle)).toEqual(before);
    },
  );

  it.runIf(isRealServer())('reports a statement that fails and keeps the connection for use', async () => {
    const fresh = await createTestDatabase();
    try {
      if (fresh.kind !== 'postgres') throw new Error('expected the real server');
      const errors: unknown[] = [];
      await warmPool(fresh, ['select no_such_function()'], (error) => errors.push(error));
      const max = fresh.pool.options.max;
      expect(errors).toHaveLength(max);
      expect(fresh.pool.idleCount).toBe(max);
      const [row] = await queryRows<{ ok: number }>(fresh.db, sql`select 1 as ok`);
      expect(row!.ok).toBe(1);
      // Run again, it uses the connections the pool holds and opens none.
      await warmPool(fresh, ['select no_such_function()'], (error) => errors.push(error));
      expect(errors).toHaveLength(2 * max);
      expect(fresh.pool.totalCount).toBe(max);
    } finally {
      await fresh.close();
    }
  });

  it.runIf(isRealServer())(
    'starts with the connections the server grants when it refuses some (a role at its connection limit)',
    async () => {
      if (handle.kind !== 'postgres') throw new Error('expected the real server');
      const role = `cwa_limited_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
      await handle.db.execute(sql.raw(`create role ${role} login connection limit 3`));
      const url = new URL(handle.url);
      url.username = role;
      url.password = '';
      const limited = await createDatabase({ kind: 'postgres', url: url.toString(), poolMax: 6 });
      try {
        if (limited.kind !== 'postgres') throw new Error('expected the real server');
        const errors: unknown[] = [];
        await warmPool(limited, ['select 1'], (error) => errors.push(error));
        expect(errors).toHaveLength(3);
        expect(String(errors[0])).toMatch(/too many connections/);
        expect(limited.pool.totalCount).toBe(3);
        const [row] = await queryRows<{ ok: number }>(limited.db, sql`select 1 as ok`);
        expect(row!.ok).toBe(1);
      } finally {
        await limited.close();
        await handle.db.execute(sql.raw(`drop role ${role}`));
      }
    },
  );

  it.runIf(!isRealServer())(
    'does nothing on the embedded database (one connection, in this process)',
    async () => {
      const errors: unknown[] = [];
      await warmPool(handle, ['select no_such_function()'], (error) => errors.push(error));
      expect(errors).toEqual([]);
    },
  );
});
