import type { DatabaseHandle } from './database.ts';

/**
 * Opens every connection of the server pool at start and runs `statements` on each, so that the
 * first burst does not pay, on every backend it needs, PostgreSQL's connection start-up and the
 * first call of the hot functions (compiled per backend: ~5 ms each on an idle machine, tens of ms
 * under a burst's load). The pool keeps them (create-database.ts: `min`). Best effort: a connection
 * that cannot be opened (max_connections) or a statement that fails is reported to `onError`, and
 * the service starts with what it has; the pool opens the rest when a query needs them.
 */
export async function warmPool(
  database: DatabaseHandle,
  statements: readonly string[],
  onError: (error: unknown) => void,
): Promise<void> {
  if (database.kind !== 'postgres') return;
  const { pool } = database;
  // Every connection at once: the idle ones the pool has (the start-up's pgvector check), then new ones.
  const opened = await Promise.allSettled(Array.from({ length: pool.options.max }, () => pool.connect()));
  await Promise.all(
    opened.map(async (result) => {
      if (result.status === 'rejected') return onError(result.reason);
      const client = result.value;
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
