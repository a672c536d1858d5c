import type { ApiRoute } from './api-route-types.ts';
import {
  nullableInteger,
  objectParam,
  optionalString,
  performerOf,
  requireConversation,
} from './api-route-types.ts';
import { conversationShowResponse } from './build-api-responses.ts';
import { ChatwootApiFailure, notFound } from './chatwoot-api-failure.ts';
import type { ConversationStatus } from './simulator-types.ts';
import { CONVERSATION_STATUSES } from './simulator-types.ts';

const CONVERSATIONS = 'api/v1/accounts/conversations';

/** `Api::V1::Accounts::ConversationsController` actions the simulator implements. */
export const conversationRoutes: ApiRoute[] = [
  {
    method: 'GET',
    path: '/conversations/:conversationId',
    controller: CONVERSATIONS,
    action: 'show',
    handle: (context) => ({
      status: 200,
      body: conversationShowResponse(context.deps.store, requireConversation(context)),
    }),
  },
  {
    method: 'POST',
    path: '/conversations',
    controller: CONVERSATIONS,
    action: 'create',
    handle(context) {
      const { store, commands, messages } = context.deps;
      const inbox = store.inboxes.get(Number(context.body.inbox_id));
      const contact = store.contacts.get(Number(context.body.contact_id));
      if (!inbox || inbox.accountId !== context.account.id || !contact) throw notFound();
      const conversation = commands.startConversation(
        inbox,
        contact.id,
        objectParam(context.body.additional_attributes),
      );
      conversation.customAttributes = objectParam(context.body.custom_attributes);
      const status = optionalString(context.body.status);
      if (status !== null) {
        // A status given at creation is saved with the record: no status-change events.
        if (!(CONVERSATION_STATUSES as readonly string[]).includes(status)) {
          throw new ChatwootApiFailure(422, `'${status}' is not a valid status`);
        }
        conversation.status = status as ConversationStatus;
      }
      const message = objectParam(context.body.message);
      if (typeof message.content === 'string') {
        messages.createMessage({
          conversation,
          messageType: 'outgoing',
          content: message.content,
          sender:
            context.caller.kind === 'bot'
              ? { type: 'agent_bot', id: context.caller.bot.id }
              : { type: 'user', id: context.caller.user.id },
          performer: performerOf(context.caller),
        });
      }
      return { status: 200, body: conversationShowResponse(store, conversation) };
    },
  },
  {
    method: 'PATCH',
    path: '/conversations/:conversationId',
    controller: CONVERSATIONS,
    action: 'update',
    handle(context) {
      const conversation = requireConversation(context);
      // Only `priority` is permitted (plus enterprise `sla_policy_id`).
      if ('priority' in context.body) {
        context.deps.commands.setPriority(
          conversation,
          optionalString(context.body.priority),
          performerOf(context.caller),
        );
      }
      return { status: 200, body: conversationShowResponse(context.deps.store, conversation) };
    },
  },
  {
    method: 'POST',
    path: '/conversations/:conversationId/toggle_status',
    controller: CONVERSATIONS,
    action: 'toggle_status',
    handle(context) {
      const conversation = requireConversation(context);
      const status = optionalString(context.body.status) ?? undefined;
      let success: boolean | null = true;
      if (context.caller.kind === 'bot' && conversation.status === 'pending' && status === 'open') {
        // pending_to_open_by_bot? → bot_handoff!; the view's @status stays unset.
        context.deps.commands.botHandoff(conversation, context.caller.bot);
        success = null;
      } else {
        const snoozedSeconds = nullableInteger(context.body.snoozed_until);
        const snoozedUntil = snoozedSeconds === null ? undefined : snoozedSeconds * 1000;
        context.deps.commands.setStatus(conversation, performerOf(context.caller), status, snoozedUntil);
      }
      return {
        status: 200,
        body: {
          meta: {},
          payload: {
            success,
            conversation_id: conversation.displayId,
            current_status: conversation.status,
            snoozed_until:
              conversation.snoozedUntil === null ? null : new Date(conversation.snoozedUntil).toISOString(),
          },
        },
      };
    },
  },
  {
    method: 'POST',
    path: '/conversations/:conversationId/toggle_typing_status',
    controller: CONVERSATIONS,
    action: 'toggle_typing_status',
    handle(context) {
      const conversation = requireConversation(context);
      const typingStatus = context.body.typing_status;
      // TypingStatusManager ignores other values; the action always answers `head :ok`.
      if (typingStatus === 'on' || typingStatus === 'off') {
        const { caller } = context;
        context.deps.store.typing.push({
          conversationDisplayId: conversation.displayId,
          accountId: conversation.accountId,
          performer: caller.kind === 'bot' ? 'agent_bot' : 'user',
          performerId: caller.kind === 'bot' ? caller.bot.id : caller.user.id,
          typingStatus,
          isPrivate: context.body.is_private === true || context.body.is_private === 'true',
          at: context.deps.now(),
        });
      }
      return { status: 200 };
    },
  },
  {
    method: 'POST',
    path: '/conversations/:conversationId/toggle_priority',
    controller: CONVERSATIONS,
    action: 'toggle_priority',
    handle(context) {
      const conversation = requireConversation(context);
      context.deps.commands.setPriority(
        conversation,
        optionalString(context.body.priority),
        performerOf(context.caller),
      );
      return { status: 200 };
    },
  },
  {
    method: 'POST',
    path: '/conversations/:conversationId/custom_attributes',
    controller: CONVERSATIONS,
    action: 'custom_attributes',
    handle(context) {
      const conversation = requireConversation(context);
      const attributes = objectParam(context.body.custom_attributes);
      // Replaces the whole hash (`@conversation.custom_attributes = …`).
      context.deps.commands.setCustomAttributes(conversation, attributes, performerOf(context.caller));
      return { status: 200, body: { custom_attributes: conversation.customAttributes } };
    },
  },
];
