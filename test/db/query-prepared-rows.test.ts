import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { DatabaseHandle } from '../../src/db/database.ts';
import { queryPreparedRows, queryRows } from '../../src/db/query-rows.ts';
import { createTestDatabase } from '../setup/test-database.ts';

describe('queryPreparedRows (named prepared statements)', () => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await createTestDatabase();
    await handle.db.execute(
      sql`create table if not exists prepared_probe (id integer primary key, label text)`,
    );
  });
  afterAll(async () => {
    await handle.db.execute(sql`drop table if exists prepared_probe`);
    await handle.close();
  });

  it('binds new parameters on every run of the same statement', async () => {
    const run = (value: number) =>
      queryPreparedRows<{ doubled: number }>(
        handle.db,
        'probe_double',
        sql`select ${value}::int * 2 as doubled`,
      );
    // More runs than PostgreSQL needs before it considers a generic plan (5).
    for (const value of [1, 2, 3, 4, 5, 6, 7, 8]) expect(await run(value)).toEqual([{ doubled: value * 2 }]);
  });

  it("runs inside the caller's transaction: it sees the transaction's own writes, and a rollback undoes its writes", async () => {
    await handle.db
      .transaction(async (tx) => {
        await tx.execute(sql`insert into prepared_probe (id, label) values (1, 'uncommitted')`);
        const seen = await queryPreparedRows<{ label: string }>(
          tx,
          'probe_select_label',
          sql`select label from prepared_probe where id = ${1}`,
        );
        expect(seen).toEqual([{ label: 'uncommitted' }]);
        await queryPreparedRows(
          tx,
          'probe_insert',
          sql`insert into prepared_probe (id, label) values (${2}, ${'also uncommitted'}) returning id`,
        );
        tx.rollback();
      })
      .catch((error: unknown) => {
        if (!(error instanceof Error) || !/rollback/i.test(error.message)) throw error;
      });
    expect(await queryRows(handle.db, sql`select id from prepared_probe`)).toEqual([]);
  });
});
