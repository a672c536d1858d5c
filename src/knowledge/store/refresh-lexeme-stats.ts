import { sql } from 'drizzle-orm';

import type { Database } from '../../db/database.ts';

/**
 * Recounts in how many chunks each lexeme occurs (`ts_stat` over every search vector) so search
 * can weight rare query terms above common ones. The row with the empty lexeme holds the total.
 * A full recount is cheap next to a sync and cannot drift.
 */
export async function refreshLexemeStats(db: Database): Promise<void> {
  await db.transaction(async (tx) => {
    // Two syncs finishing together must not interleave delete and insert.
    await tx.execute(sql`lock table knowledge_lexemes in exclusive mode`);
    await tx.execute(sql`delete from knowledge_lexemes`);
    await tx.execute(
      sql`insert into knowledge_lexemes (lexeme, chunk_count)
          select word, ndoc from ts_stat('select search_vector from knowledge_chunks')`,
    );
    await tx.execute(
      sql`insert into knowledge_lexemes (lexeme, chunk_count) select '', count(*)::int from knowledge_chunks`,
    );
  });
}
