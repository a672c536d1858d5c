import {
  createConversationRepository,
  type ConversationRow,
} from '../db/repositories/conversation-repository.ts';
import { createOutboxRepository, type OutboundMessageRow } from '../db/repositories/outbox-repository.ts';
import { createTranscriptRepository } from '../db/repositories/transcript-repository.ts';
import { chatwootOwnershipLost, readChatwootView } from './chatwoot-ownership-lost.ts';
import type { ChatwootPort, ConversationTarget } from './chatwoot-port.ts';
import type { PipelineDeps } from './pipeline-deps.ts';

// The checks deliver-outbox.ts makes before a post: may the bot still post it, has a human acted
// first, did an earlier attempt already reach Chatwoot.

/** Why the bot may no longer post a reply in this conversation, or null when it still may. */
export async function ownershipLost(
  deps: Pick<PipelineDeps, 'db' | 'logger'>,
  port: ChatwootPort,
  conversation: ConversationRow,
  target: ConversationTarget,
): Promise<string | null> {
  // Chatwoot first, our own state last: reading Chatwoot can take long (429s are retried with
  // backoff), and a human reply that lands meanwhile is only visible in our database (Chatwoot's
  // conversation does not change when a human replies). The check nearest the post must be ours.
  const lostInChatwoot = await chatwootOwnershipLost(deps, port, target);
  const fresh = await createConversationRepository(deps.db).findById(conversation.id);
  if (!fresh || fresh.owner !== 'bot' || fresh.episode !== conversation.episode)
    return `owner_${fresh?.owner ?? 'unknown'}`;
  return lostInChatwoot;
}

/**
 * The customer-facing half of a handoff (the message and `toggle_status open`) is only right while
 * the conversation is still pending: once a human has replied, or resolved, snoozed or opened it,
 * the message would talk over them and the toggle would reopen what they just closed. Checked in
 * our database and, when this Chatwoot allows it, in Chatwoot itself. (The private note stays: it
 * tells the agents why the bot stepped back.)
 */
export async function handoffOvertaken(
  deps: Pick<PipelineDeps, 'db' | 'logger'>,
  port: ChatwootPort,
  conversation: ConversationRow,
  target: ConversationTarget,
  row: OutboundMessageRow,
): Promise<string | null> {
  if (row.kind === 'handoff_message' && (await humanSpokeSince(deps, conversation, row.createdAt)))
    return 'a human already replied';
  const fresh = await createConversationRepository(deps.db).findById(conversation.id);
  if (!fresh || fresh.episode !== conversation.episode) return 'a new episode began';
  if (fresh.status !== 'pending') return `status_${fresh.status}`;
  const view = await readChatwootView(deps, port, target);
  if (view && view.status !== 'pending') return `chatwoot_status_${view.status}`;
  return null;
}

export async function isCancelled(deps: Pick<PipelineDeps, 'db'>, row: OutboundMessageRow): Promise<boolean> {
  return !(await createOutboxRepository(deps.db).isUnsettled(row.id));
}

async function humanSpokeSince(
  deps: Pick<PipelineDeps, 'db'>,
  conversation: ConversationRow,
  since: Date,
): Promise<boolean> {
  const messages = await createTranscriptRepository(deps.db).listEpisode(
    conversation.id,
    conversation.episode,
  );
  return messages.some(
    (message) => message.role === 'human' && message.receivedAt.getTime() > since.getTime(),
  );
}

/** Finds our message in Chatwoot: its echo webhook in the transcript, or the message list (user token). */
export async function reconcile(
  deps: Pick<PipelineDeps, 'db'>,
  port: ChatwootPort,
  target: ConversationTarget,
  conversation: ConversationRow,
  row: OutboundMessageRow,
): Promise<number | null> {
  const outbox = createOutboxRepository(deps.db);
  const claimed = new Set(
    (await outbox.listByConversation(conversation.id))
      .map((other) => other.chatwootMessageId)
      .filter((id) => id !== null),
  );
  const echoes = await createTranscriptRepository(deps.db).listAll(conversation.id);
  const role = row.isPrivate ? 'note' : 'bot';
  const echo = echoes.find(
    (message) =>
      message.role === role && message.content === row.content && !claimed.has(message.chatwootMessageId),
  );
  if (echo) return echo.chatwootMessageId;
  const listed = await port.listRecentBotMessages(target, null).catch(() => null);
  const match = listed?.find((message) => message.content === row.content && !claimed.has(message.id));
  return match?.id ?? null;
}
