import { buildConversationWebhookData, normalizeWebhookContent } from './build-conversation-webhook-data.ts';
import { toIsoString } from './chatwoot-time.ts';
import type { SimulatorStore } from './create-simulator-store.ts';
import { accountWebhookData, contactWebhookData, senderWebhookData } from './sender-payloads.ts';
import type { ContactInboxRecord, ConversationRecord, MessageRecord } from './simulator-types.ts';

type PayloadStore = Parameters<typeof buildConversationWebhookData>[0] &
  Pick<SimulatorStore, 'conversations'>;

/** One change in `changed_attributes`: `{ key: { previous_value, current_value } }`. */
export type ChangedAttribute = Record<string, { previous_value: unknown; current_value: unknown }>;

export type ConversationEventName =
  'conversation_opened' | 'conversation_resolved' | 'conversation_status_changed' | 'conversation_updated';

export type BotEventName =
  ConversationEventName | 'message_created' | 'message_updated' | 'webwidget_triggered';

/** `Message#webhook_data` merged with `event` (last), as `AgentBotListener` sends it. */
export function buildMessageEventPayload(
  store: PayloadStore,
  message: MessageRecord,
  conversation: ConversationRecord,
  event: 'message_created' | 'message_updated',
) {
  const inbox = store.inboxes.get(message.inboxId);
  return {
    account: accountWebhookData(store, message.accountId),
    additional_attributes: message.additionalAttributes,
    content_attributes: message.contentAttributes,
    content_type: message.contentType,
    content: normalizeWebhookContent(message.content),
    conversation: buildConversationWebhookData(store, conversation),
    created_at: toIsoString(message.createdAt),
    id: message.id,
    inbox: { id: message.inboxId, name: inbox?.name ?? '' },
    message_type: message.messageType,
    private: message.isPrivate,
    sender: senderWebhookData(store, message.sender),
    source_id: message.sourceId,
    event,
  };
}

/**
 * Conversation events: `conversation.webhook_data.merge(event:, changed_attributes:)`.
 * `conversation_status_changed` carries `changed_attributes: null` in practice (contract §2.4);
 * opened/resolved have no `changed_attributes` key at all.
 */
export function buildConversationEventPayload(
  store: PayloadStore,
  conversation: ConversationRecord,
  event: ConversationEventName,
  changedAttributes: ChangedAttribute[] | null,
) {
  const base = { ...buildConversationWebhookData(store, conversation), event };
  if (event === 'conversation_status_changed') return { ...base, changed_attributes: null };
  if (event === 'conversation_updated') {
    return {
      ...base,
      changed_attributes: changedAttributes && changedAttributes.length > 0 ? changedAttributes : null,
    };
  }
  return base;
}

export interface WidgetEventInfo {
  initiated_at: { timestamp: string };
  referer: string;
  widget_language: string;
  browser_language: string;
  browser: Record<string, string>;
}

/** `ContactInbox#webhook_data` + `event` + `event_info` (webwidget_triggered). */
export function buildWidgetTriggeredPayload(
  store: PayloadStore,
  contactInbox: ContactInboxRecord,
  currentConversation: ConversationRecord | undefined,
  eventInfo: WidgetEventInfo,
) {
  const contact = store.contacts.get(contactInbox.contactId);
  const inbox = store.inboxes.get(contactInbox.inboxId);
  const accountId = inbox?.accountId ?? contact?.accountId ?? 0;
  return {
    id: contactInbox.id,
    contact: contact ? contactWebhookData(store, contact) : null,
    inbox: { id: contactInbox.inboxId, name: inbox?.name ?? '' },
    account: accountWebhookData(store, accountId),
    current_conversation: currentConversation
      ? buildConversationWebhookData(store, currentConversation)
      : null,
    source_id: contactInbox.sourceId,
    event: 'webwidget_triggered' as const,
    event_info: eventInfo,
  };
}
