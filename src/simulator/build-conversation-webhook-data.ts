import { toIsoOrNull, toIsoString, toUnixFloat, toUnixSeconds } from './chatwoot-time.ts';
import type { SimulatorStore } from './create-simulator-store.ts';
import {
  accountWebhookData,
  botPushData,
  contactPushData,
  senderPushData,
  senderTypeName,
  teamPushData,
  userPushData,
} from './sender-payloads.ts';
import type { ConversationRecord, MessageRecord } from './simulator-types.ts';
import { MESSAGE_TYPE_NUMBERS } from './simulator-types.ts';

type PayloadStore = Pick<
  SimulatorStore,
  | 'accounts'
  | 'contacts'
  | 'users'
  | 'agentBots'
  | 'teams'
  | 'inboxes'
  | 'contactInboxes'
  | 'conversationMessages'
>;

/** `Messages::WebhookContentNormalizer`: markdown hard breaks become newlines, trailing newlines go. */
export function normalizeWebhookContent(content: string | null): string | null {
  if (content === null) return null;
  return content.replaceAll('\\\n', '\n').replace(/\n+$/, '');
}

/** Incoming messages since the agent last looked, capped at 10 (`unread_incoming_messages`). */
export function unreadCount(store: PayloadStore, conversation: ConversationRecord): number {
  const since = conversation.agentLastSeenAt;
  const unread = store
    .conversationMessages(conversation)
    .filter((message) => message.messageType === 'incoming' && (since === null || message.createdAt > since));
  return Math.min(unread.length, 10);
}

/** `Message#push_event_data`: DB columns with integer message_type and unix created_at. */
export function buildMessagePushData(
  store: PayloadStore,
  message: MessageRecord,
  conversation: ConversationRecord,
) {
  const contactInbox = store.contactInboxes.get(conversation.contactInboxId);
  const sender = senderPushData(store, message.sender);
  return {
    id: message.id,
    content: message.content,
    account_id: message.accountId,
    inbox_id: message.inboxId,
    conversation_id: message.conversationDisplayId,
    message_type: MESSAGE_TYPE_NUMBERS[message.messageType],
    created_at: toUnixSeconds(message.createdAt),
    updated_at: toIsoString(message.updatedAt),
    private: message.isPrivate,
    status: message.status,
    source_id: message.sourceId,
    content_type: message.contentType,
    content_attributes: message.contentAttributes,
    sender_type: senderTypeName(message.sender),
    sender_id: message.sender?.id ?? null,
    external_source_ids: {},
    additional_attributes: message.additionalAttributes,
    processed_message_content: normalizeWebhookContent(message.content),
    sentiment: {},
    conversation: {
      assignee_id: conversation.assigneeId,
      unread_count: unreadCount(store, conversation),
      last_activity_at: toUnixSeconds(conversation.lastActivityAt),
      contact_inbox: { source_id: contactInbox?.sourceId ?? null },
    },
    ...(sender === null ? {} : { sender }),
  };
}

/** `{sender, assignee, assignee_type, team, hmac_verified}` shared by webhooks and the show response. */
export function buildConversationMeta(store: PayloadStore, conversation: ConversationRecord) {
  const contact = store.contacts.get(conversation.contactId);
  const bot =
    conversation.assigneeAgentBotId === null
      ? undefined
      : store.agentBots.get(conversation.assigneeAgentBotId);
  const user = conversation.assigneeId === null ? undefined : store.users.get(conversation.assigneeId);
  const team = conversation.teamId === null ? undefined : store.teams.get(conversation.teamId);
  return {
    sender: contact ? contactPushData(contact) : null,
    assignee: bot ? botPushData(bot) : user ? userPushData(user) : null,
    assignee_type: bot ? 'AgentBot' : user ? 'User' : null,
    team: team ? teamPushData(team) : null,
    hmac_verified: false,
  };
}

export function lastChatMessage(
  store: PayloadStore,
  conversation: ConversationRecord,
): MessageRecord | undefined {
  // The `chat` scope: not activity, not private.
  return store
    .conversationMessages(conversation)
    .filter((message) => message.messageType !== 'activity' && !message.isPrivate)
    .at(-1);
}

/** `Conversations::EventDataPresenter#webhook_data` (push_data + account). */
export function buildConversationWebhookData(store: PayloadStore, conversation: ConversationRecord) {
  const inbox = store.inboxes.get(conversation.inboxId);
  const contactInbox = store.contactInboxes.get(conversation.contactInboxId);
  const lastMessage = lastChatMessage(store, conversation);
  return {
    additional_attributes: conversation.additionalAttributes,
    can_reply: true,
    channel: inbox?.channel ?? 'Channel::WebWidget',
    contact_inbox: contactInbox
      ? {
          id: contactInbox.id,
          contact_id: contactInbox.contactId,
          inbox_id: contactInbox.inboxId,
          source_id: contactInbox.sourceId,
          created_at: toIsoString(contactInbox.createdAt),
          updated_at: toIsoString(contactInbox.updatedAt),
          hmac_verified: false,
          pubsub_token: contactInbox.pubsubToken,
        }
      : null,
    id: conversation.displayId,
    inbox_id: conversation.inboxId,
    messages: lastMessage ? [buildMessagePushData(store, lastMessage, conversation)] : [],
    labels: [...conversation.labels],
    meta: buildConversationMeta(store, conversation),
    status: conversation.status,
    custom_attributes: conversation.customAttributes,
    snoozed_until: toIsoOrNull(conversation.snoozedUntil),
    unread_count: unreadCount(store, conversation),
    first_reply_created_at: toIsoOrNull(conversation.firstReplyCreatedAt),
    priority: conversation.priority,
    waiting_since: toUnixSeconds(conversation.waitingSince),
    agent_last_seen_at: toUnixSeconds(conversation.agentLastSeenAt),
    contact_last_seen_at: toUnixSeconds(conversation.contactLastSeenAt),
    last_activity_at: toUnixSeconds(conversation.lastActivityAt),
    timestamp: toUnixSeconds(conversation.lastActivityAt),
    created_at: toUnixSeconds(conversation.createdAt),
    updated_at: toUnixFloat(conversation.updatedAt),
    account: accountWebhookData(store, conversation.accountId),
  };
}

export type ConversationWebhookData = ReturnType<typeof buildConversationWebhookData>;
