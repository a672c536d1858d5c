import type { Config } from '../config/config.ts';
import { createDatabase } from '../db/create-database.ts';
import type { DatabaseHandle } from '../db/database.ts';
import { migrateDatabase } from '../db/migrate-database.ts';

/**
 * Opens and migrates the configured database for a one-shot command, runs `fn`, closes it. On the
 * embedded default this takes the data directory's lock: while `serve` runs, commands fail with a
 * message saying so (use DATABASE_URL to share the database between processes).
 */
export async function withCliDatabase<T>(
  config: Config,
  fn: (database: DatabaseHandle) => Promise<T>,
): Promise<T> {
  const database = await createDatabase(config.database);
  try {
    await migrateDatabase(database);
    return await fn(database);
  } finally {
    await database.close();
  }
}

export function parseInteger(value: string, name: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed)) throw new Error(`${name} must be an integer (got "${value}")`);
  return parsed;
}
