import type { ChatwootClient } from '../chatwoot/client/chatwoot-client.ts';
import { isChatwootApiError } from '../chatwoot/client/chatwoot-api-error.ts';
import type { ChatwootConversationView, ChatwootPort } from './chatwoot-port.ts';

/** The reply pipeline's view of Chatwoot, over the REST client of one connection. */
export function createChatwootPort(client: ChatwootClient): ChatwootPort {
  return {
    async postMessage(target, message, options) {
      const created = await client.createMessage({
        accountId: target.accountId,
        conversationId: target.conversationId,
        content: message.content,
        private: message.isPrivate,
        echoId: message.echoId,
        // Never blindly retry a send whose outcome is unknown: the outbox reconciles first.
        retryUnsafe: false,
        signal: options?.signal,
        beforeRetry: options?.beforeRetry,
      });
      return { id: created.id };
    },
    async setTyping(target, on) {
      await client.toggleTypingStatus({ ...ref(target), typingStatus: on ? 'on' : 'off' });
    },
    async openConversation(target) {
      await client.toggleStatus({ ...ref(target), status: 'open' });
    },
    async addLabels(target, labels) {
      await client.addLabels({ ...ref(target), labels });
    },
    async setPriority(target, priority) {
      await client.togglePriority({ ...ref(target), priority });
    },
    async assignTeam(target, teamId) {
      await client.assign({ ...ref(target), teamId });
    },
    async readConversation(target, signal): Promise<ChatwootConversationView | null> {
      const result = await client.getConversation({ ...ref(target), signal });
      if (!result.isSupported) return null;
      const { conversation } = result;
      const status = conversation.status;
      if (status !== 'open' && status !== 'pending' && status !== 'resolved' && status !== 'snoozed')
        return null;
      const assigneeType =
        (conversation.meta?.assignee_type ?? conversation.meta?.assignee?.type ?? null)?.toLowerCase() ??
        null;
      return {
        status,
        assigneeType:
          assigneeType === 'user'
            ? 'user'
            : assigneeType === 'agentbot' || assigneeType === 'agent_bot'
              ? 'agent_bot'
              : null,
      };
    },
    async listRecentBotMessages(target, afterMessageId) {
      try {
        const page = await client.listMessages({
          ...ref(target),
          ...(afterMessageId !== null ? { after: afterMessageId } : {}),
        });
        return page.messages
          .filter(
            (message) =>
              (message as { sender?: { type?: string | null } | null }).sender?.type === 'agent_bot',
          )
          .map((message) => ({ id: message.id, content: message.content ?? null }));
      } catch (error) {
        if (isChatwootApiError(error, 'missing_user_token')) return null;
        throw error;
      }
    },
  };
}

function ref(target: { accountId: number; conversationId: number }) {
  return { accountId: target.accountId, conversationId: target.conversationId };
}
