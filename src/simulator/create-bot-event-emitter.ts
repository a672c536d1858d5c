import type { ChangedAttribute, ConversationEventName, WidgetEventInfo } from './build-event-payloads.ts';
import {
  buildConversationEventPayload,
  buildMessageEventPayload,
  buildWidgetTriggeredPayload,
} from './build-event-payloads.ts';
import type { SimulatorStore } from './create-simulator-store.ts';
import type { WebhookDispatcher } from './create-webhook-dispatcher.ts';
import type {
  AgentBotRecord,
  ContactInboxRecord,
  ConversationRecord,
  MessageRecord,
} from './simulator-types.ts';

export interface BotEventEmitter {
  messageEvent(
    message: MessageRecord,
    conversation: ConversationRecord,
    event: 'message_created' | 'message_updated',
  ): void;
  conversationEvent(
    conversation: ConversationRecord,
    event: ConversationEventName,
    changes?: ChangedAttribute[],
  ): void;
  widgetTriggered(
    contactInbox: ContactInboxRecord,
    conversation: ConversationRecord | undefined,
    info: WidgetEventInfo,
  ): void;
}

/**
 * `AgentBotListener`: picks the receiving bots and builds the payload at the moment of the change
 * (the synchronous dispatcher), so a delivery shows the state right after the change.
 */
export function createBotEventEmitter(deps: {
  store: SimulatorStore;
  dispatcher: WebhookDispatcher;
}): BotEventEmitter {
  const { store, dispatcher } = deps;

  /** `agent_bots_for`: the conversation's assigned bot plus the inbox's active bot; no status filter. */
  const botsFor = (inboxId: number, conversation: ConversationRecord | undefined): AgentBotRecord[] => {
    const bots: AgentBotRecord[] = [];
    const assigned =
      conversation?.assigneeAgentBotId == null
        ? undefined
        : store.agentBots.get(conversation.assigneeAgentBotId);
    if (assigned) bots.push(assigned);
    const inbox = store.inboxes.get(inboxId);
    const inboxBot =
      inbox?.isBotActive && inbox.agentBotId !== null ? store.agentBots.get(inbox.agentBotId) : undefined;
    if (inboxBot && !bots.includes(inboxBot)) bots.push(inboxBot);
    return bots;
  };

  return {
    messageEvent(message, conversation, event) {
      // `webhook_sendable?`: incoming, outgoing (private notes included) and template; never activity.
      if (message.messageType === 'activity') return;
      const bots = botsFor(message.inboxId, conversation);
      if (bots.length === 0) return;
      const payload = buildMessageEventPayload(store, message, conversation, event);
      for (const bot of bots)
        dispatcher.enqueue({
          bot,
          event,
          payload,
          messageId: message.id,
          conversationId: conversation.displayId,
        });
    },
    conversationEvent(conversation, event, changes) {
      const bots = botsFor(conversation.inboxId, conversation);
      if (bots.length === 0) return;
      const payload = buildConversationEventPayload(store, conversation, event, changes ?? null);
      for (const bot of bots) {
        dispatcher.enqueue({ bot, event, payload, messageId: null, conversationId: conversation.displayId });
      }
    },
    widgetTriggered(contactInbox, conversation, info) {
      const bots = botsFor(contactInbox.inboxId, conversation);
      if (bots.length === 0) return;
      const payload = buildWidgetTriggeredPayload(store, contactInbox, conversation, info);
      const conversationId = conversation?.displayId ?? null;
      for (const bot of bots) {
        dispatcher.enqueue({ bot, event: 'webwidget_triggered', payload, messageId: null, conversationId });
      }
    },
  };
}
