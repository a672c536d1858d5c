import { createConversationRepository } from '../db/repositories/conversation-repository.ts';
import type { PipelineDeps } from './pipeline-deps.ts';

/**
 * A job that starts more than this before the burst's due time defers itself. The slack absorbs
 * clock differences between the process that set the due time and the database that started the job.
 */
export const DEFER_TOLERANCE_MS = 50;

export type BurstClaim = 'claimed' | 'deferred' | 'gone';

/**
 * The first step of a reply job. Locking the conversation row waits for any ingress transaction
 * that holds it, so every message committed before the claim is in this run's transcript, and any
 * message after it finds this job active and queues the next one (record-webhook-delivery.ts).
 * When customers kept writing after the job was queued, its start is early: it queues a job at
 * the burst's due time (the stately queue keeps one queued job per conversation) and stops.
 */
export async function claimBurst(
  deps: Pick<PipelineDeps, 'db' | 'queue' | 'now'>,
  conversationId: number,
): Promise<BurstClaim> {
  return deps.db.transaction(async (tx) => {
    const conversation = await createConversationRepository(tx).lockById(conversationId, tx);
    if (!conversation) return 'gone';
    const due = conversation.replyDueAt;
    if (due && due.getTime() - deps.now().getTime() > DEFER_TOLERANCE_MS) {
      await deps.queue.scheduleReply({ conversationId }, due, tx);
      return 'deferred';
    }
    return 'claimed';
  });
}
