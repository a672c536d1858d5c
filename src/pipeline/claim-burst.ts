import {
  createConversationRepository,
  type ConversationRow,
} from '../db/repositories/conversation-repository.ts';
import type { PipelineDeps } from './pipeline-deps.ts';

/**
 * A job that starts more than this before the burst's due time defers itself. The slack absorbs
 * clock differences between the process that set the due time and the database that started the
 * job; it is kept small because a message arriving inside it would get a reply of its own (a
 * burst split 12 ms apart was caught by the property test with 50 ms).
 */
export const DEFER_TOLERANCE_MS = 5;

export type BurstClaim =
  | {
      readonly status: 'claimed';
      /** The row as it was once the lock was held: every ingress transaction before the claim is in it. */
      readonly conversation: ConversationRow;
      /** Whether an earlier attempt left outbox rows to post (pending or sending). */
      readonly hasUnsettledOutbox: boolean;
    }
  | { readonly status: 'deferred' }
  | { readonly status: 'gone' };

/**
 * The first step of a reply job. Locking the conversation row waits for any ingress transaction
 * that holds it, so every message committed before the claim is in this run's transcript, and any
 * message after it finds this job active and queues the next one (record-webhook-delivery.ts).
 * When customers kept writing after the job was queued, its start is early: it queues a job at
 * the burst's due time (the stately queue keeps one queued job per conversation) and stops.
 *
 * The usual claim is one statement: `SELECT … FOR UPDATE` on its own takes the lock (waiting for
 * any transaction that holds it) and releases it when the statement ends, exactly as a transaction
 * that only locks would. Only a job that turns out early opens a transaction, locks again and
 * re-checks there, so the deferral is queued under the lock as before.
 */
export async function claimBurst(
  deps: Pick<PipelineDeps, 'db' | 'queue' | 'now'>,
  conversationId: number,
): Promise<BurstClaim> {
  const conversations = createConversationRepository(deps.db);
  const claimed = await conversations.lockForClaim(conversationId);
  if (!claimed) return { status: 'gone' };
  if (!isEarly(claimed.conversation, deps.now())) return { status: 'claimed', ...claimed };
  return deps.db.transaction(async (tx): Promise<BurstClaim> => {
    const conversation = await createConversationRepository(tx).lockById(conversationId, tx);
    if (!conversation) return { status: 'gone' };
    if (isEarly(conversation, deps.now())) {
      await deps.queue.scheduleReplies(
        [{ payload: { conversationId }, startAfter: conversation.replyDueAt! }],
        tx,
      );
      return { status: 'deferred' };
    }
    return { status: 'claimed', conversation, hasUnsettledOutbox: claimed.hasUnsettledOutbox };
  });
}

function isEarly(conversation: ConversationRow, now: Date): boolean {
  const due = conversation.replyDueAt;
  return due !== null && due.getTime() - now.getTime() > DEFER_TOLERANCE_MS;
}
