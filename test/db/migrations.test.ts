import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { DatabaseHandle } from '../../src/db/database.ts';
import { queryRows } from '../../src/db/query-rows.ts';
import { MIGRATIONS_FOLDER } from '../../src/db/migrate-database.ts';
import { createTestDatabase } from '../setup/test-database.ts';

describe('database migrations', () => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await createTestDatabase();
  });
  afterAll(async () => {
    await handle.close();
  });

  it('enable pgvector, unaccent and pg_trgm first', async () => {
    const rows = await queryRows<{ extname: string }>(
      handle.db,
      sql`select extname from pg_extension order by extname`,
    );
    const names = rows.map((row) => row.extname);
    expect(names).toEqual(expect.arrayContaining(['vector', 'unaccent', 'pg_trgm']));
    const [vectorValue] = await queryRows<{ distance: number }>(
      handle.db,
      sql`select '[1,2,3]'::vector <=> '[1,2,4]'::vector as distance`,
    );
    expect(Number(vectorValue?.distance)).toBeGreaterThan(0);
  });

  it('create the core tables', async () => {
    const rows = await queryRows<{ table_name: string }>(
      handle.db,
      sql`select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
    );
    const tables = rows.map((row) => row.table_name);
    expect(tables).toEqual(
      expect.arrayContaining([
        'webhook_deliveries',
        'conversations',
        'contacts',
        'transcript_messages',
        'ownership_transitions',
      ]),
    );
  });
});

describe('schema and migrations', () => {
  it('do not drift: generating from the schema produces no new migration', () => {
    const workDir = mkdtempSync(path.join(os.tmpdir(), 'cwa-drift-'));
    try {
      const out = path.join(workDir, 'migrations');
      cpSync(MIGRATIONS_FOLDER, out, { recursive: true });
      const before = readdirSync(out).filter((file) => file.endsWith('.sql')).length;
      const configFile = path.join(workDir, 'drizzle.config.json');
      writeFileSync(
        configFile,
        JSON.stringify({ dialect: 'postgresql', schema: path.resolve('src/db/schema/index.ts'), out }),
      );
      execFileSync('npx', ['drizzle-kit', 'generate', '--config', configFile, '--name', 'drift'], {
        stdio: 'pipe',
        cwd: process.cwd(),
      });
      const after = readdirSync(out).filter((file) => file.endsWith('.sql')).length;
      expect(after, 'the schema changed without a migration: run npm run db:generate').toBe(before);
    } finally {
      rmSync(workDir, { recursive: true, force: true });
    }
  });
});
