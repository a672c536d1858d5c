import type { CallOptions, ConversationRef, GetConversationResult } from './chatwoot-client.ts';
import type { ChatwootRequestContext } from './chatwoot-request.ts';
import { conversationSchema } from './chatwoot-schemas.ts';
import { isBotEndpointForbidden } from './is-bot-endpoint-forbidden.ts';
import { requestChatwoot } from './request-chatwoot.ts';

/**
 * GET conversation with graceful degradation. Bots may read conversations from Chatwoot 4.14.2
 * (#14655); older versions answer 401 "not authorized for bots". The first such refusal is
 * remembered for the life of this reader (one per client, so per connection): afterwards the user
 * token is used when configured, and otherwise the answer is `isSupported: false`, without
 * asking Chatwoot again on every call.
 */
export function createConversationReader(
  context: ChatwootRequestContext,
): (input: ConversationRef & CallOptions) => Promise<GetConversationResult> {
  let isBotReadForbidden = false;

  const read = async (input: ConversationRef & CallOptions, token: 'bot' | 'user') => ({
    isSupported: true as const,
    conversation: await requestChatwoot(context, {
      operation: 'getConversation',
      method: 'GET',
      accountId: input.accountId,
      path: `/conversations/${input.conversationId}`,
      schema: conversationSchema,
      token,
      retryUnsafe: true,
      signal: input.signal,
      logFields: { conversationId: input.conversationId },
    }),
  });

  return async (input) => {
    if (!isBotReadForbidden) {
      try {
        return await read(input, 'bot');
      } catch (error) {
        if (!isBotEndpointForbidden(error)) throw error;
        isBotReadForbidden = true;
        context.logger.warn(
          { hasUserToken: context.tokens.user !== undefined },
          'chatwoot refuses GET conversation for bots (older than 4.14.2); not asking again with the bot token',
        );
      }
    }
    if (context.tokens.user !== undefined) return read(input, 'user');
    return {
      isSupported: false,
      reason:
        'this Chatwoot (older than 4.14.2) does not let bots read conversations and no user token is configured',
    };
  };
}
