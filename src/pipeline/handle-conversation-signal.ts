import { createConversationRepository } from '../db/repositories/conversation-repository.ts';
import { createOutboxRepository } from '../db/repositories/outbox-repository.ts';
import type { TaskPayloads } from '../jobs/task-list.ts';
import type { PipelineDeps } from './pipeline-deps.ts';

/**
 * Side effects of the bot losing a conversation: the queued reply is cancelled, a run in this
 * process is aborted, unsent replies are dropped. Idempotent — a retry or a duplicate signal
 * changes nothing more.
 */
export async function handleConversationSignal(
  deps: Pick<PipelineDeps, 'db' | 'queue' | 'runs' | 'logger'>,
  payload: TaskPayloads['conversation-signal'],
): Promise<void> {
  const conversation = await createConversationRepository(deps.db).findById(payload.conversationId);
  if (!conversation || conversation.owner === 'bot') return;
  const cancelledJobs = await deps.queue.cancelQueuedReply(conversation.id);
  const aborted = deps.runs.abort(conversation.id, 'ownership_lost');
  const droppedReplies = await createOutboxRepository(deps.db).cancelUnsentReplies(
    conversation.id,
    payload.reason,
  );
  deps.logger.info({ reason: payload.reason, cancelledJobs, aborted, droppedReplies }, 'bot stood down');
}
