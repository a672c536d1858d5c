import { eq, sql } from 'drizzle-orm';

import type { Executor } from '../database.ts';
import { webhookDeliveries } from '../schema/index.ts';

export type NewWebhookDelivery = typeof webhookDeliveries.$inferInsert;

export function createWebhookDeliveryRepository(db: Executor) {
  return {
    /**
     * Inserts the delivery unless its delivery id or dedupe key was seen before; returns the new
     * row id, or null for a duplicate. Concurrent duplicates block on the unique index until the
     * first commits, then insert nothing.
     */
    async insertIfNew(row: NewWebhookDelivery, tx: Executor = db): Promise<number | null> {
      const inserted = await tx
        .insert(webhookDeliveries)
        .values(row)
        .onConflictDoNothing()
        .returning({ id: webhookDeliveries.id });
      return inserted[0]?.id ?? null;
    },

    async setOutcome(id: number, outcome: string, tx: Executor = db): Promise<void> {
      await tx.update(webhookDeliveries).set({ outcome }).where(eq(webhookDeliveries.id, id));
    },

    async count(tx: Executor = db): Promise<number> {
      const result = await tx.select({ count: sql<number>`count(*)::int` }).from(webhookDeliveries);
      return result[0]?.count ?? 0;
    },

    async list(tx: Executor = db) {
      return tx.select().from(webhookDeliveries).orderBy(webhookDeliveries.id);
    },
  };
}
export type WebhookDeliveryRepository = ReturnType<typeof createWebhookDeliveryRepository>;
