import {
  buildConversationMeta,
  buildMessagePushData,
  unreadCount,
} from './build-conversation-webhook-data.ts';
import { toIsoOrNull, toIsoString, toUnixFloat, toUnixSeconds } from './chatwoot-time.ts';
import type { SimulatorStore } from './create-simulator-store.ts';
import { contactPushData, senderPushData } from './sender-payloads.ts';
import type {
  AgentBotRecord,
  ContactRecord,
  ConversationRecord,
  MessageRecord,
  TeamRecord,
  UserRecord,
} from './simulator-types.ts';
import { MESSAGE_TYPE_NUMBERS } from './simulator-types.ts';

/** REST response bodies, shaped like Chatwoot's jbuilder views (contract §3). */

/** `api/v1/models/_message.json.jbuilder`: integer message_type, unix created_at, echo_id echoed. */
export function messageResponse(store: SimulatorStore, message: MessageRecord) {
  const sender = senderPushData(store, message.sender);
  return {
    id: message.id,
    content: message.content,
    inbox_id: message.inboxId,
    ...(message.echoId === null ? {} : { echo_id: message.echoId }),
    conversation_id: message.conversationDisplayId,
    message_type: MESSAGE_TYPE_NUMBERS[message.messageType],
    content_type: message.contentType,
    status: message.status,
    content_attributes: message.contentAttributes,
    created_at: toUnixSeconds(message.createdAt),
    private: message.isPrivate,
    source_id: message.sourceId,
    ...(sender === null ? {} : { sender }),
  };
}

/** `GET …/messages`: `{meta, payload}`. */
export function messagesIndexResponse(
  store: SimulatorStore,
  conversation: ConversationRecord,
  messages: MessageRecord[],
) {
  const contact = store.contacts.get(conversation.contactId);
  const assignee = conversation.assigneeId === null ? undefined : store.users.get(conversation.assigneeId);
  return {
    meta: {
      labels: [...conversation.labels],
      additional_attributes: conversation.additionalAttributes,
      contact: contact ? contactPushData(contact) : null,
      ...(assignee ? { assignee: senderPushData(store, { type: 'user', id: assignee.id }) } : {}),
      agent_last_seen_at: toIsoOrNull(conversation.agentLastSeenAt),
      assignee_last_seen_at: null,
    },
    payload: messages.map((message) => messageResponse(store, message)),
  };
}

/** `api/v1/conversations/partials/_conversation.json.jbuilder` (contract §3.5). */
export function conversationShowResponse(store: SimulatorStore, conversation: ConversationRecord) {
  const messages = store.conversationMessages(conversation);
  const last = messages.at(-1);
  const lastNonActivity = messages.filter((message) => message.messageType !== 'activity').at(-1);
  const inbox = store.inboxes.get(conversation.inboxId);
  const { sender, assignee, assignee_type, team, hmac_verified } = buildConversationMeta(store, conversation);
  return {
    meta: { sender, channel: inbox?.channel ?? null, assignee, assignee_type, team, hmac_verified },
    id: conversation.displayId,
    messages: last ? [buildMessagePushData(store, last, conversation)] : [],
    account_id: conversation.accountId,
    uuid: conversation.uuid,
    additional_attributes: conversation.additionalAttributes,
    agent_last_seen_at: toUnixSeconds(conversation.agentLastSeenAt),
    assignee_last_seen_at: 0,
    can_reply: true,
    contact_last_seen_at: toUnixSeconds(conversation.contactLastSeenAt),
    custom_attributes: conversation.customAttributes,
    inbox_id: conversation.inboxId,
    labels: [...conversation.labels],
    muted: false,
    snoozed_until: toIsoOrNull(conversation.snoozedUntil),
    status: conversation.status,
    created_at: toUnixSeconds(conversation.createdAt),
    updated_at: toUnixFloat(conversation.updatedAt),
    timestamp: toUnixSeconds(conversation.lastActivityAt),
    first_reply_created_at: toUnixSeconds(conversation.firstReplyCreatedAt),
    unread_count: unreadCount(store, conversation),
    last_non_activity_message: lastNonActivity
      ? buildMessagePushData(store, lastNonActivity, conversation)
      : null,
    last_activity_at: toUnixSeconds(conversation.lastActivityAt),
    priority: conversation.priority,
    waiting_since: toUnixSeconds(conversation.waitingSince),
    sla_policy_id: null,
  };
}

/** `GET /contacts/:id`: `{payload: contact}` with its contact inboxes. */
export function contactShowResponse(store: SimulatorStore, contact: ContactRecord) {
  const contactInboxes = [...store.contactInboxes.values()].filter((item) => item.contactId === contact.id);
  return {
    payload: {
      additional_attributes: contact.additionalAttributes,
      availability_status: 'offline',
      email: contact.email,
      id: contact.id,
      name: contact.name,
      phone_number: contact.phoneNumber,
      blocked: contact.blocked,
      identifier: contact.identifier,
      thumbnail: '',
      custom_attributes: contact.customAttributes,
      last_activity_at: contact.lastActivityAt === null ? null : toUnixSeconds(contact.lastActivityAt),
      created_at: toUnixSeconds(contact.createdAt),
      contact_inboxes: contactInboxes.map((item) => {
        const inbox = store.inboxes.get(item.inboxId);
        return {
          source_id: item.sourceId,
          inbox: { id: item.inboxId, name: inbox?.name ?? '', channel_type: inbox?.channel ?? null },
        };
      }),
    },
  };
}

/** `api/v1/models/_agent.json.jbuilder`. */
export function agentResponse(user: UserRecord, accountId: number) {
  return {
    id: user.id,
    account_id: accountId,
    availability_status: 'online',
    auto_offline: true,
    confirmed: true,
    email: user.email,
    provider: 'email',
    available_name: user.name,
    name: user.name,
    role: 'agent',
    thumbnail: '',
    custom_role_id: null,
  };
}

/** `api/v1/models/_agent_bot.json.jbuilder` without the admin-only token and secret. */
export function agentBotResponse(bot: AgentBotRecord) {
  return {
    id: bot.id,
    name: bot.name,
    description: null,
    thumbnail: '',
    outgoing_url: bot.outgoingUrl,
    bot_type: 'webhook',
    bot_config: {},
    account_id: bot.accountId,
    system_bot: false,
  };
}

/** `render json: @team` (model attributes). */
export function teamResponse(team: TeamRecord, createdAt: number) {
  return {
    id: team.id,
    name: team.name,
    description: null,
    allow_auto_assign: true,
    account_id: team.accountId,
    created_at: toIsoString(createdAt),
    updated_at: toIsoString(createdAt),
  };
}
