import type { SQL } from 'drizzle-orm';

import type { Executor } from './database.ts';

/**
 * Runs raw SQL and returns its rows. Both drivers (PGlite and node-postgres) answer `{ rows }`,
 * but the shared `Database` type erases that, so the cast lives here once.
 */
export async function queryRows<T>(db: Executor, query: SQL): Promise<T[]> {
  const result: unknown = await db.execute(query);
  return (result as { rows: T[] }).rows;
}
