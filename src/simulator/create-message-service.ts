import { ChatwootApiFailure } from './chatwoot-api-failure.ts';
import type { BotEventEmitter } from './create-bot-event-emitter.ts';
import type { ConversationUpdater } from './create-conversation-updater.ts';
import type { SimulatorStore } from './create-simulator-store.ts';
import type {
  ConversationRecord,
  MessageRecord,
  MessageType,
  Performer,
  SenderRef,
} from './simulator-types.ts';

export interface NewMessageInput {
  conversation: ConversationRecord;
  messageType: Exclude<MessageType, 'activity'>;
  content: string | null;
  sender: SenderRef;
  /** Who is `Current.user` (names activity messages); the contact or system for widget traffic. */
  performer: Performer;
  isPrivate?: boolean;
  contentType?: string;
  contentAttributes?: Record<string, unknown>;
  additionalAttributes?: Record<string, unknown>;
  echoId?: string | null;
  sourceId?: string | null;
}

export interface MessageService {
  createMessage(input: NewMessageInput): MessageRecord;
}

const FLOOD_WINDOW_MS = 60_000;

/**
 * `Message` creation with its callbacks in Chatwoot's order: flood guard, reopen on incoming
 * (snoozed → open, resolved → pending when the inbox has an active bot, else open), touch,
 * `message_created`, then the first-reply / waiting-since bookkeeping.
 */
export function createMessageService(deps: {
  store: SimulatorStore;
  emitter: BotEventEmitter;
  updater: ConversationUpdater;
  now: () => number;
  floodLimit: number;
}): MessageService {
  const { store, emitter, updater, now } = deps;

  const guardFlood = (conversation: ConversationRecord): void => {
    const since = now() - FLOOD_WINDOW_MS;
    const recent = store
      .conversationMessages(conversation)
      .filter((message) => message.createdAt >= since).length;
    if (recent >= deps.floodLimit) throw new ChatwootApiFailure(422, 'Validation failed: Too many messages');
  };

  const reopen = (conversation: ConversationRecord): void => {
    if (conversation.status === 'snoozed') {
      updater.update(conversation, { status: 'open' }, { kind: 'system' });
    } else if (conversation.status === 'resolved') {
      const inbox = store.inboxes.get(conversation.inboxId);
      const status = inbox?.isBotActive ? 'pending' : 'open';
      updater.update(conversation, { status }, { kind: 'system' });
    }
  };

  /** `human_response?` && public && no earlier public human reply (`valid_first_reply?`). */
  const isValidFirstReply = (message: MessageRecord, conversation: ConversationRecord): boolean => {
    if (message.messageType !== 'outgoing' || message.sender?.type !== 'user' || message.isPrivate)
      return false;
    if (conversation.firstReplyCreatedAt !== null) return false;
    const humanReplies = store
      .conversationMessages(conversation)
      .filter(
        (item) => item.messageType === 'outgoing' && item.sender?.type !== 'agent_bot' && !item.isPrivate,
      );
    return humanReplies.length <= 1;
  };

  return {
    createMessage(input) {
      const { conversation } = input;
      guardFlood(conversation);
      const message = store.insertMessage({
        accountId: conversation.accountId,
        inboxId: conversation.inboxId,
        conversationDisplayId: conversation.displayId,
        messageType: input.messageType,
        content: input.content,
        contentType: input.contentType ?? 'text',
        contentAttributes: input.contentAttributes ?? {},
        additionalAttributes: input.additionalAttributes ?? {},
        isPrivate: input.isPrivate ?? false,
        sourceId: input.sourceId ?? null,
        echoId: input.echoId ?? null,
        sender: input.sender,
      });
      // belongs_to :conversation, touch: true; set_conversation_activity.
      conversation.updatedAt = Math.max(message.createdAt, conversation.updatedAt);
      conversation.lastActivityAt = message.createdAt;
      if (input.messageType === 'incoming') {
        reopen(conversation);
        const contact = store.contacts.get(conversation.contactId);
        if (contact) contact.lastActivityAt = message.createdAt;
      }
      emitter.messageEvent(message, conversation, 'message_created');
      if (isValidFirstReply(message, conversation)) {
        updater.update(
          conversation,
          { firstReplyCreatedAt: message.createdAt, waitingSince: null },
          input.performer,
        );
      } else if (
        message.messageType === 'outgoing' &&
        message.sender?.type === 'user' &&
        !message.isPrivate
      ) {
        if (conversation.waitingSince !== null)
          updater.update(conversation, { waitingSince: null }, input.performer);
      } else if (message.messageType === 'incoming' && conversation.waitingSince === null) {
        updater.update(conversation, { waitingSince: message.createdAt }, input.performer);
      }
      return message;
    },
  };
}
