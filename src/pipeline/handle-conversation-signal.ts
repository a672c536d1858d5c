import { createConversationRepository } from '../db/repositories/conversation-repository.ts';
import { createOutboxRepository } from '../db/repositories/outbox-repository.ts';
import type { TaskPayloads } from '../jobs/task-list.ts';
import type { PipelineDeps } from './pipeline-deps.ts';

/**
 * Side effects of the bot losing a conversation: a run in this process is aborted, unsent replies
 * are dropped. (The burst waiting for a reply was dropped by the ingress transaction that saw the
 * takeover.) Idempotent — a retry or a duplicate signal changes nothing more.
 */
export async function handleConversationSignal(
  deps: Pick<PipelineDeps, 'db' | 'runs' | 'logger'>,
  payload: TaskPayloads['conversation-signal'],
): Promise<void> {
  const conversation = await createConversationRepository(deps.db).findById(payload.conversationId);
  if (!conversation || conversation.owner === 'bot') return;
  const aborted = deps.runs.abort(conversation.id, 'ownership_lost');
  const droppedReplies = await createOutboxRepository(deps.db).cancelUnsentReplies(
    conversation.id,
    payload.reason,
  );
  deps.logger.info({ reason: payload.reason, aborted, droppedReplies }, 'bot stood down');
}
