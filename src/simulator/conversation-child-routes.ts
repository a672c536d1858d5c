import type { ApiRoute, RouteContext } from './api-route-types.ts';
import {
  castBoolean,
  nullableInteger,
  objectParam,
  optionalString,
  performerOf,
  requireConversation,
} from './api-route-types.ts';
import {
  agentBotResponse,
  agentResponse,
  contactShowResponse,
  messageResponse,
  messagesIndexResponse,
  teamResponse,
} from './build-api-responses.ts';
import { ChatwootApiFailure, notFound } from './chatwoot-api-failure.ts';
import type { MessageRecord, SenderRef } from './simulator-types.ts';
import { CONTENT_TYPES } from './simulator-types.ts';

/** `MessageFinder`: latest 20; 20 before `before`; up to 100 after `after`; up to 1000 between. */
function findMessages(all: MessageRecord[], query: URLSearchParams): MessageRecord[] {
  const before = nullableInteger(query.get('before'));
  const after = nullableInteger(query.get('after'));
  if (before !== null && after !== null)
    return all.filter((m) => m.id > after && m.id < before).slice(0, 1000);
  if (before !== null) return all.filter((m) => m.id < before).slice(-20);
  if (after !== null) return all.filter((m) => m.id > after).slice(0, 100);
  return all.slice(-20);
}

/** `Messages::MessageBuilder#sender`: outgoing messages belong to the caller (or a named bot). */
function messageSender(context: RouteContext, messageType: string, contactId: number): SenderRef {
  if (messageType !== 'outgoing') return { type: 'contact', id: contactId };
  const { caller, body, deps } = context;
  if (caller.kind === 'bot') return { type: 'agent_bot', id: caller.bot.id };
  if (body.sender_type === 'AgentBot') {
    const bot = deps.store.agentBots.get(Number(body.sender_id));
    if (bot && bot.accountId === context.account.id) return { type: 'agent_bot', id: bot.id };
  }
  return { type: 'user', id: caller.user.id };
}

function createMessage(context: RouteContext) {
  const conversation = requireConversation(context);
  const { body, deps } = context;
  const messageType = optionalString(body.message_type) ?? 'outgoing';
  if (!['outgoing', 'incoming', 'template'].includes(messageType)) {
    throw new ChatwootApiFailure(422, `'${messageType}' is not a valid message_type`);
  }
  if (
    messageType === 'incoming' &&
    deps.store.inboxes.get(conversation.inboxId)?.channel !== 'Channel::Api'
  ) {
    throw new ChatwootApiFailure(422, 'Incoming messages are only allowed in Api inboxes');
  }
  const contentType = optionalString(body.content_type) ?? 'text';
  if (!CONTENT_TYPES.includes(contentType))
    throw new ChatwootApiFailure(422, `'${contentType}' is not a valid content_type`);
  const content = optionalString(body.content);
  if (content !== null && content.length > 150_000) {
    throw new ChatwootApiFailure(
      422,
      'Validation failed: Content is too long (maximum is 150000 characters)',
    );
  }
  const message = deps.messages.createMessage({
    conversation,
    messageType: messageType as 'outgoing' | 'incoming' | 'template',
    content,
    sender: messageSender(context, messageType, conversation.contactId),
    performer: performerOf(context.caller),
    isPrivate: castBoolean(body.private) ?? false,
    contentType,
    contentAttributes: objectParam(body.content_attributes),
    echoId: optionalString(body.echo_id),
    sourceId: optionalString(body.source_id),
  });
  return { status: 200, body: messageResponse(deps.store, message) };
}

function createAssignment(context: RouteContext) {
  const conversation = requireConversation(context);
  const { body, deps } = context;
  const performer = performerOf(context.caller);
  // Precedence as in AssignmentsController#create: agent or bot first, then team.
  if ('assignee_id' in body || body.assignee_type === 'AgentBot') {
    const assigneeId = nullableInteger(body.assignee_id);
    if (body.assignee_type === 'AgentBot') {
      const bot = assigneeId === null ? null : deps.commands.assignBot(conversation, assigneeId, performer);
      return { status: 200, body: bot ? agentBotResponse(bot) : null };
    }
    const user = deps.commands.assignUser(conversation, assigneeId, performer);
    return { status: 200, body: user ? agentResponse(user, conversation.accountId) : null };
  }
  if ('team_id' in body) {
    const team = deps.commands.assignTeam(conversation, nullableInteger(body.team_id), performer);
    return { status: 200, body: team ? teamResponse(team, conversation.createdAt) : null };
  }
  return { status: 200, body: null };
}

export const conversationChildRoutes: ApiRoute[] = [
  {
    method: 'GET',
    path: '/conversations/:conversationId/messages',
    controller: 'api/v1/accounts/conversations/messages',
    action: 'index',
    handle(context) {
      const conversation = requireConversation(context);
      const found = findMessages(context.deps.store.conversationMessages(conversation), context.query);
      return { status: 200, body: messagesIndexResponse(context.deps.store, conversation, found) };
    },
  },
  {
    method: 'POST',
    path: '/conversations/:conversationId/messages',
    controller: 'api/v1/accounts/conversations/messages',
    action: 'create',
    handle: createMessage,
  },
  {
    method: 'GET',
    path: '/conversations/:conversationId/labels',
    controller: 'api/v1/accounts/conversations/labels',
    action: 'index',
    handle: (context) => ({ status: 200, body: { payload: [...requireConversation(context).labels] } }),
  },
  {
    method: 'POST',
    path: '/conversations/:conversationId/labels',
    controller: 'api/v1/accounts/conversations/labels',
    action: 'create',
    handle(context) {
      const conversation = requireConversation(context);
      const raw = context.body.labels;
      const labels = Array.isArray(raw) ? raw.map((label) => String(label)) : [];
      // `update!(label_list: labels)` replaces the whole list.
      const payload = context.deps.commands.setLabels(conversation, labels, performerOf(context.caller));
      return { status: 200, body: { payload } };
    },
  },
  {
    method: 'POST',
    path: '/conversations/:conversationId/assignments',
    controller: 'api/v1/accounts/conversations/assignments',
    action: 'create',
    handle: createAssignment,
  },
  {
    method: 'GET',
    path: '/contacts/:contactId',
    controller: 'api/v1/accounts/contacts',
    action: 'show',
    handle(context) {
      const contact = context.deps.store.contacts.get(Number(context.params.contactId));
      if (!contact || contact.accountId !== context.account.id) throw notFound();
      return { status: 200, body: contactShowResponse(context.deps.store, contact) };
    },
  },
];
