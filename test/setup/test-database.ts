import { createHash, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

import { createDatabase, createMemoryDatabase, wrapPglite } from '../../src/db/create-database.ts';
import type { DatabaseHandle } from '../../src/db/database.ts';
import { MIGRATIONS_FOLDER, migrateDatabase } from '../../src/db/migrate-database.ts';

/**
 * A fresh, migrated database per test file. With `TEST_DATABASE_URL` (the real PostgreSQL tier)
 * each call clones a migrated template database; otherwise it clones a migrated in-memory PGlite.
 */
export function isRealServer(): boolean {
  return Boolean(process.env.TEST_DATABASE_URL);
}

export async function createTestDatabase(): Promise<DatabaseHandle> {
  return isRealServer() ? createServerDatabase(process.env.TEST_DATABASE_URL!) : createPgliteDatabase();
}

let pgliteTemplate: Promise<PGlite> | undefined;

async function createPgliteDatabase(): Promise<DatabaseHandle> {
  pgliteTemplate ??= (async () => {
    const handle = await createMemoryDatabase();
    await migrateDatabase(handle);
    return handle.pglite;
  })();
  const template = await pgliteTemplate;
  const clone = (await template.clone()) as PGlite;
  return wrapPglite(clone);
}

function migrationsFingerprint(): string {
  const hash = createHash('sha256');
  for (const file of readdirSync(MIGRATIONS_FOLDER).sort()) {
    if (file.endsWith('.sql')) hash.update(file).update(readFileSync(path.join(MIGRATIONS_FOLDER, file)));
  }
  return hash.digest('hex').slice(0, 12);
}

/** The admin URL points at the server's `postgres` database; test databases are created beside it. */
async function createServerDatabase(adminUrl: string): Promise<DatabaseHandle> {
  const templateName = `cwa_template_${migrationsFingerprint()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query('select pg_advisory_lock(4242001)');
    const exists = await admin.query('select 1 from pg_database where datname = $1', [templateName]);
    if (exists.rowCount === 0) {
      await admin.query(`create database "${templateName}"`);
      const handle = await createDatabase({
        kind: 'postgres',
        url: withDatabase(adminUrl, templateName),
        poolMax: 2,
      });
      try {
        await migrateDatabase(handle);
      } finally {
        await handle.close();
      }
    }
    const name = `cwa_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
    await admin.query(`create database "${name}" template "${templateName}"`);
    await admin.query('select pg_advisory_unlock(4242001)');
    const handle = await createDatabase({ kind: 'postgres', url: withDatabase(adminUrl, name), poolMax: 10 });
    return {
      ...handle,
      close: async () => {
        await handle.close();
        const dropper = new pg.Client({ connectionString: adminUrl });
        await dropper.connect();
        await dropper.query(`drop database if exists "${name}" with (force)`).catch(() => undefined);
        await dropper.end();
      },
    };
  } finally {
    await admin.end();
  }
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
