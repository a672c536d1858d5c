import { sql } from 'drizzle-orm';

import {
  createConversationRepository,
  type ConversationRow,
} from '../db/repositories/conversation-repository.ts';
import type { TranscriptRow } from '../db/repositories/transcript-repository.ts';
import { queryPreparedRows } from '../db/query-rows.ts';
import { rowFromJson } from '../db/row-from-json.ts';
import { conversations, transcriptMessages } from '../db/schema/index.ts';
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
      /** The episode's transcript in message order, read under the same lock. */
      readonly episode: readonly TranscriptRow[];
    }
  | { readonly status: 'deferred' }
  | { readonly status: 'gone' };

type ClaimFunctionResult =
  | { readonly isEarly: true; readonly conversation: Record<string, unknown> }
  | {
      readonly isEarly: false;
      readonly conversation: Record<string, unknown>;
      readonly hasUnsettledOutbox: boolean;
      readonly episode: ReadonlyArray<Record<string, unknown>>;
    };

/**
 * The first step of a reply job. Locking the conversation row waits for any ingress transaction
 * that holds it, so every message committed before the claim is in this run's transcript, and any
 * message after it finds this job active and queues the next one (record-webhook-delivery.ts).
 * When customers kept writing after the job was queued, its start is early: it queues a job at
 * the burst's due time (the stately queue keeps one queued job per conversation) and stops.
 *
 * The usual claim is one round trip: `claim_reply_burst` (migration 0008) takes the lock, which it
 * holds only while it runs, and reads the row, the outbox state and the episode's transcript
 * after it. Only a job that turns out early opens a transaction, locks again and re-checks there,
 * so the deferral is queued under the lock.
 */
export async function claimBurst(
  deps: Pick<PipelineDeps, 'db' | 'now'> & {
    readonly queue: Pick<PipelineDeps['queue'], 'scheduleReplies'>;
  },
  conversationId: number,
): Promise<BurstClaim> {
  const earlyAfter = new Date(deps.now().getTime() + DEFER_TOLERANCE_MS);
  const [row] = await queryPreparedRows<{ claim: ClaimFunctionResult | null }>(
    deps.db,
    'claim_reply_burst',
    sql`select claim_reply_burst(${conversationId}, ${earlyAfter.toISOString()}::timestamptz) as claim`,
  );
  const claim = row?.claim ?? null;
  if (!claim) return { status: 'gone' };
  if (!claim.isEarly) {
    return {
      status: 'claimed',
      conversation: rowFromJson(conversations, claim.conversation),
      hasUnsettledOutbox: claim.hasUnsettledOutbox,
      episode: claim.episode.map((message) => rowFromJson(transcriptMessages, message)),
    };
  }
  const deferred = await deps.db.transaction(async (tx) => {
    const conversation = await createConversationRepository(tx).lockById(conversationId, tx);
    if (!conversation) return 'gone' as const;
    if (!isEarly(conversation, deps.now())) return 'due' as const;
    await deps.queue.scheduleReplies(
      [{ payload: { conversationId }, startAfter: conversation.replyDueAt! }],
      tx,
    );
    return 'deferred' as const;
  });
  // The due time passed between the two checks: claim it now.
  return deferred === 'due' ? claimBurst(deps, conversationId) : { status: deferred };
}

function isEarly(conversation: ConversationRow, now: Date): boolean {
  const due = conversation.replyDueAt;
  return due !== null && due.getTime() - now.getTime() > DEFER_TOLERANCE_MS;
}
