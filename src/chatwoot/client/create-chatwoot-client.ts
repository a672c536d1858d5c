import type { ChatwootConnection } from '../../config/config.ts';
import { AppError } from '../../errors/app-error.ts';
import type { Logger } from '../../logging/create-logger.ts';
import { ChatwootApiError } from './chatwoot-api-error.ts';
import { httpFromFetch, undiciHttp } from './chatwoot-http.ts';
import type { AssignInput, CallOptions, ChatwootClient, ConversationRef } from './chatwoot-client.ts';
import { type ChatwootClientPolicy, DEFAULT_CHATWOOT_CLIENT_POLICY } from './chatwoot-client-policy.ts';
import type { ChatwootRequest, ChatwootRequestContext } from './chatwoot-request.ts';
import {
  assignmentSchema,
  contactShowSchema,
  customAttributesSchema,
  emptySchema,
  labelsSchema,
  messageListSchema,
  messageSchema,
  toggleStatusSchema,
} from './chatwoot-schemas.ts';
import { createAccountCircuitBreakers } from './create-account-circuit-breakers.ts';
import type { ChatwootRateLimiter } from './create-chatwoot-rate-limiter.ts';
import { createConversationReader } from './create-conversation-reader.ts';
import { mergeCustomAttributes } from './merge-custom-attributes.ts';
import { mergeLabels } from './merge-labels.ts';
import { requestChatwoot } from './request-chatwoot.ts';
import { type Sleep, sleepWithSignal } from './sleep.ts';

export interface ChatwootClientDeps {
  logger: Logger;
  /** Shared by every client of the process (and across processes when backed by Redis). */
  limiter: ChatwootRateLimiter;
  policy?: Partial<ChatwootClientPolicy>;
  /** Replaces the default transport (undici's `request()`, chatwoot-http.ts): tests intercept calls. */
  fetch?: typeof fetch;
  sleep?: Sleep;
  random?: () => number;
  now?: () => number;
}

/**
 * A client for one Chatwoot connection. Every operation is a thin description of one REST call
 * (contract §3.2) handed to `requestChatwoot`, which owns auth, timeout, retries, the circuit
 * breaker, rate limiting, parsing and logging. Retries are on for idempotent calls (reads,
 * toggles, replace-style writes) and off after an unknown outcome for `createMessage`.
 */
export function createChatwootClient(
  deps: ChatwootClientDeps,
  connection: ChatwootConnection,
): ChatwootClient {
  const { baseUrl, apiToken } = connection;
  if (!baseUrl || !apiToken) {
    throw new AppError('invalid_config', {
      message: `Chatwoot connection "${connection.name}" needs baseUrl and apiToken to call Chatwoot`,
    });
  }
  const policy = { ...DEFAULT_CHATWOOT_CLIENT_POLICY, ...deps.policy };
  const logger = deps.logger.child({ connection: connection.name });
  const origin = baseUrl.replace(/\/+$/, '');
  const context: ChatwootRequestContext = {
    baseUrl: origin,
    tokens: { bot: apiToken, user: connection.userToken },
    rateLimitKey: (accountId) => `${origin}#${accountId}`,
    http: deps.fetch ? httpFromFetch(deps.fetch) : undiciHttp,
    logger,
    limiter: deps.limiter,
    breakers: createAccountCircuitBreakers(
      { threshold: policy.breakerThreshold, cooldownMs: policy.breakerCooldownMs },
      logger,
    ),
    policy,
    sleep: deps.sleep ?? sleepWithSignal,
    random: deps.random ?? Math.random,
    now: deps.now ?? Date.now,
  };

  // retryUnsafe defaults to true here: every conversation endpoint but message creation is
  // idempotent (toggles set a state, label and attribute writes replace, reads read).
  const conversationCall = <T>(
    input: ConversationRef & CallOptions,
    call: Omit<
      ChatwootRequest<T>,
      'accountId' | 'path' | 'signal' | 'beforeRetry' | 'logFields' | 'retryUnsafe'
    > & {
      subpath?: string;
      retryUnsafe?: boolean;
    },
  ) =>
    requestChatwoot(context, {
      ...call,
      accountId: input.accountId,
      path: `/conversations/${input.conversationId}${call.subpath ?? ''}`,
      retryUnsafe: call.retryUnsafe ?? true,
      signal: input.signal,
      beforeRetry: input.beforeRetry,
      logFields: { conversationId: input.conversationId },
    });

  const getConversation = createConversationReader(context);

  const client: ChatwootClient = {
    createMessage: (input) =>
      conversationCall(input, {
        operation: 'createMessage',
        method: 'POST',
        subpath: '/messages',
        schema: messageSchema,
        retryUnsafe: input.retryUnsafe ?? false,
        body: {
          content: input.content,
          message_type: 'outgoing',
          private: input.private ?? false,
          content_type: input.contentType,
          content_attributes: input.contentAttributes,
          echo_id: input.echoId,
        },
      }),

    toggleStatus: async (input) => {
      const result = await conversationCall(input, {
        operation: 'toggleStatus',
        method: 'POST',
        subpath: '/toggle_status',
        schema: toggleStatusSchema,
        body: {
          status: input.status,
          snoozed_until: input.snoozedUntil ? Math.floor(input.snoozedUntil.getTime() / 1000) : undefined,
        },
      });
      return { currentStatus: result?.payload?.current_status ?? undefined };
    },

    toggleTypingStatus: async (input) => {
      await conversationCall(input, {
        operation: 'toggleTypingStatus',
        method: 'POST',
        subpath: '/toggle_typing_status',
        schema: emptySchema,
        body: { typing_status: input.typingStatus, is_private: input.isPrivate ?? false },
      });
    },

    togglePriority: async (input) => {
      await conversationCall(input, {
        operation: 'togglePriority',
        method: 'POST',
        subpath: '/toggle_priority',
        schema: emptySchema,
        body: { priority: input.priority },
      });
    },

    getLabels: async (input) => {
      const result = await conversationCall(input, {
        operation: 'getLabels',
        method: 'GET',
        subpath: '/labels',
        schema: labelsSchema,
      });
      return result.payload ?? [];
    },

    setLabels: async (input) => {
      const result = await conversationCall(input, {
        operation: 'setLabels',
        method: 'POST',
        subpath: '/labels',
        schema: labelsSchema,
        body: { labels: [...input.labels] },
      });
      return result.payload ?? [...input.labels];
    },

    addLabels: async (input) => {
      const merged = mergeLabels(await client.getLabels(input), input.labels);
      if (!merged.hasChanged) return merged.labels;
      return client.setLabels({ ...input, labels: merged.labels });
    },

    assign: async (input) => {
      await conversationCall(input, {
        operation: 'assign',
        method: 'POST',
        subpath: '/assignments',
        schema: assignmentSchema,
        body: assignmentBody(input),
      });
    },

    setCustomAttributes: async (input) => {
      const result = await conversationCall(input, {
        operation: 'setCustomAttributes',
        method: 'POST',
        subpath: '/custom_attributes',
        schema: customAttributesSchema,
        body: { custom_attributes: input.customAttributes },
      });
      return result?.custom_attributes ?? input.customAttributes;
    },

    mergeCustomAttributes: async (input) => {
      const found = await client.getConversation(input);
      if (!found.isSupported) {
        throw new ChatwootApiError({
          kind: 'unsupported',
          operation: 'mergeCustomAttributes',
          message: `Cannot merge custom attributes: ${found.reason}`,
          isRetryable: false,
          attempt: 0,
        });
      }
      const merged = mergeCustomAttributes(
        found.conversation.custom_attributes ?? {},
        input.customAttributes,
      );
      if (!merged.hasChanged) return merged.attributes;
      return client.setCustomAttributes({ ...input, customAttributes: merged.attributes });
    },

    getConversation,

    listMessages: async (input) => {
      const result = await conversationCall(input, {
        operation: 'listMessages',
        method: 'GET',
        subpath: '/messages',
        schema: messageListSchema,
        token: 'user',
        query: { before: input.before, after: input.after },
      });
      return { messages: result.payload ?? [], meta: result.meta ?? {} };
    },

    getContact: (input) =>
      requestChatwoot(context, {
        operation: 'getContact',
        method: 'GET',
        accountId: input.accountId,
        path: `/contacts/${input.contactId}`,
        schema: contactShowSchema,
        token: 'user',
        retryUnsafe: true,
        signal: input.signal,
        logFields: { contactId: input.contactId },
      }),
  };
  return client;
}

/** Chatwoot's precedence: assignee (agent or bot) first, then team. */
function assignmentBody(input: AssignInput): Record<string, unknown> {
  if ('agentBotId' in input) return { assignee_id: input.agentBotId, assignee_type: 'AgentBot' };
  if ('assigneeId' in input) return { assignee_id: input.assigneeId };
  return { team_id: input.teamId };
}
