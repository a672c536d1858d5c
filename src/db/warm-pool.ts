import type { DatabaseHandle } from './database.ts';

/**
 * Opens every connection of the server pool at start and runs `statements` on each, so that the
 * first burst does not pay, on every backend it needs, PostgreSQL's connection start-up and the
 * first call of the hot functions (compiled per backend: ~5 ms each on an idle machine, tens of ms
 * under a burst's load). The pool keeps them (create-database.ts: `min`). Best effort: a statement
 * that fails is logged by the caller's `onError` and the connection is still kept.
 */
export async function warmPool(
  database: DatabaseHandle,
  statements: readonly string[],
  onError: (error: unknown) => void,
): Promise<void> {
  if (database.kind !== 'postgres') return;
  const { pool } = database;
  // Every connection at once: the idle ones the pool has (the start-up's pgvector check), then new ones.
  const size = pool.options.max;
  const clients = await Promise.all(Array.from({ length: size }, () => pool.connect()));
  await Promise.all(
    clients.map(async (client) => {
      try {
        for (const statement of statements) await client.query(statement);
      } catch (error) {
        onError(error);
      } finally {
        client.release();
      }
    }),
  );
}
