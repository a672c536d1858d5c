import { sql } from 'drizzle-orm';

import type { Executor } from '../../src/db/database.ts';
import { queryRows } from '../../src/db/query-rows.ts';

/**
 * Work the pipeline still has to do: bursts due or being answered (the reply queue on the
 * conversation rows: a run still holds its claim when a takeover has already dropped the due time)
 * and pg-boss jobs not settled (signals, summaries, syncs).
 */
export async function countPendingWork(db: Executor): Promise<number> {
  const [row] = await queryRows<{ pending: number }>(
    db,
    sql`select (select count(*)::int from conversations where reply_due_at is not null or reply_claim is not null)
             + (select count(*)::int from pgboss.job where state in ('created', 'retry', 'active')) as pending`,
  );
  return row?.pending ?? 0;
}
