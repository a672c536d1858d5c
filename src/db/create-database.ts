import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';
import { vector } from '@electric-sql/pglite-pgvector';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/node-postgres';
import pg from 'pg';

import type { DatabaseConfig } from '../config/config.ts';
import { AppError } from '../errors/app-error.ts';
import { acquireDataDirLock } from './acquire-data-dir-lock.ts';
import type { Database, DatabaseHandle } from './database.ts';
import * as schema from './schema/index.ts';

export const PGVECTOR_INSTALL_HINT =
  'Install pgvector >= 0.5 on the server (Debian/Ubuntu: apt-get install postgresql-<version>-pgvector, or build it from https://github.com/pgvector/pgvector) and run CREATE EXTENSION vector as a superuser once, then restart.';

/**
 * Opens the embedded PGlite (file-backed in `dataDir`, guarded by a pid lock) or a node-postgres
 * pool, and checks that pgvector is there. The caller owns `close()`.
 */
export async function createDatabase(config: DatabaseConfig): Promise<DatabaseHandle> {
  return config.kind === 'pglite' ? openPglite(config.dataDir) : openPostgres(config.url, config.poolMax);
}

async function openPglite(dataDir: string): Promise<DatabaseHandle> {
  const lock = acquireDataDirLock(dataDir);
  try {
    const pglite = await PGlite.create({ dataDir, extensions: { vector, unaccent, pg_trgm } });
    const db = drizzlePglite(pglite, { schema }) as unknown as Database;
    return {
      kind: 'pglite',
      db,
      pglite,
      close: async () => {
        try {
          await pglite.close();
        } finally {
          lock.release();
        }
      },
    };
  } catch (error) {
    lock.release();
    throw error;
  }
}

/** Opens an in-memory PGlite (tests, `ask` without a data dir). */
export async function createMemoryDatabase(): Promise<DatabaseHandle & { kind: 'pglite' }> {
  const pglite = await PGlite.create({ extensions: { vector, unaccent, pg_trgm } });
  return wrapPglite(pglite);
}

export function wrapPglite(pglite: PGlite): DatabaseHandle & { kind: 'pglite' } {
  const db = drizzlePglite(pglite, { schema }) as unknown as Database;
  return { kind: 'pglite', db, pglite, close: () => pglite.close() };
}

async function openPostgres(url: string, poolMax: number): Promise<DatabaseHandle> {
  // bigint columns are declared mode:'number'; int8 counts from raw queries parse as numbers too.
  const pool = new pg.Pool({
    connectionString: url,
    max: poolMax,
    application_name: 'chatwoot-agent',
    // The hot statements are named prepared statements (queryPreparedRows). PostgreSQL re-plans
    // those whose custom plans look cheaper than the generic one — the ingress batch statement,
    // with its JSON parameter, was planned afresh on every call (0.7 ms of ~2 ms, measured with
    // pg_stat_statements). Their plans do not depend on the parameter values: plan them once.
    options: '-c plan_cache_mode=force_generic_plan',
    // Idle connections are kept (pg-pool closes them after 10 s otherwise): a burst after a quiet
    // minute then starts every backend it needs cold, each paying its connection and the first
    // call of the reply queue's functions (bench:pipeline, 12 s idle between bursts of 200: p99
    // 69–116 → 36–45 ms). Opened at start by warm-pool.ts.
    min: poolMax,
  });
  pool.on('error', () => {
    // Idle-client errors (server restart) must not crash the process; the next query reconnects.
  });
  try {
    await assertPgvectorAvailable(pool);
  } catch (error) {
    await pool.end();
    throw error;
  }
  const db = drizzlePostgres(pool, { schema }) as unknown as Database;
  return { kind: 'postgres', db, pool, url, close: () => pool.end() };
}

async function assertPgvectorAvailable(pool: pg.Pool): Promise<void> {
  let available: boolean;
  try {
    const result = await pool.query<{ available: boolean }>(
      "select exists (select 1 from pg_available_extensions where name = 'vector') as available",
    );
    available = result.rows[0]?.available === true;
  } catch (error) {
    throw new AppError('unavailable', {
      message: `Cannot reach PostgreSQL: ${(error as Error).message}`,
      cause: error,
    });
  }
  if (!available) {
    throw new AppError('pgvector_missing', {
      message: `The PostgreSQL server has no pgvector extension. ${PGVECTOR_INSTALL_HINT}`,
    });
  }
}
