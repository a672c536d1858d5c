import { coerceError } from '../errors/coerce-error.ts';
import type { ChatwootConversationView, ChatwootPort, ConversationTarget } from './chatwoot-port.ts';
import type { PipelineDeps } from './pipeline-deps.ts';

/**
 * Chatwoot's own view of the conversation, or null when this Chatwoot does not let bots read
 * conversations (< 4.14.2) or cannot be read now: the caller then relies on our state, which it
 * always checks after this.
 */
export async function readChatwootView(
  deps: Pick<PipelineDeps, 'logger'>,
  port: ChatwootPort,
  target: ConversationTarget,
): Promise<ChatwootConversationView | null> {
  return port.readConversation(target).catch((error: unknown) => {
    deps.logger.warn(
      { err: coerceError(error) },
      'could not read the conversation from Chatwoot; relying on our own state',
    );
    return null;
  });
}

/** Why Chatwoot's own view says the bot's turn is over (the status left `pending`, a human is assigned), or null. */
export async function chatwootOwnershipLost(
  deps: Pick<PipelineDeps, 'logger'>,
  port: ChatwootPort,
  target: ConversationTarget,
): Promise<string | null> {
  const view = await readChatwootView(deps, port, target);
  if (view && view.status !== 'pending') return `chatwoot_status_${view.status}`;
  if (view && view.assigneeType === 'user') return 'chatwoot_human_assignee';
  return null;
}
