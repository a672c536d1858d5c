import type { WidgetEventInfo } from './build-event-payloads.ts';
import type { BotEventEmitter } from './create-bot-event-emitter.ts';
import type { ConversationCommands } from './create-conversation-commands.ts';
import type { MessageService } from './create-message-service.ts';
import type { NewContact, SimulatorStore } from './create-simulator-store.ts';
import type {
  ConversationRecord,
  ConversationStatus,
  MessageRecord,
  Performer,
  UserRecord,
} from './simulator-types.ts';
import { widgetBrowserAttributes, widgetEventInfo } from './widget-attributes.ts';

export interface CustomerSaysInput {
  inboxId: number;
  content: string;
  /** Existing contact; a new one is created when both ids are absent. */
  contactId?: number;
  /** Existing conversation (display id) in the inbox's account. */
  conversationId?: number;
  /** Start a new conversation even when the contact has one in this inbox. */
  newConversation?: boolean;
  contact?: NewContact;
  contentAttributes?: Record<string, unknown>;
}

export interface AgentOptions {
  /** Acting user; defaults to the first user of the account. */
  userId?: number;
  /** Defaults to the first configured account. */
  accountId?: number;
}

export interface Actors {
  customerSays(input: CustomerSaysInput): {
    accountId: number;
    contactId: number;
    conversationId: number;
    messageId: number;
  };
  agentReplies(
    conversationId: number,
    content: string,
    options?: AgentOptions & { private?: boolean },
  ): { messageId: number };
  agentAssigns(conversationId: number, userId: number | null, options?: AgentOptions): void;
  assignTeam(conversationId: number, teamId: number | null, options?: AgentOptions): void;
  agentSetsStatus(
    conversationId: number,
    status: ConversationStatus,
    options?: AgentOptions & { snoozedUntil?: number },
  ): void;
  agentSetsLabels(conversationId: number, labels: string[], options?: AgentOptions): void;
  /** Edits a message (a widget form submission, a status change) and emits `message_updated`. */
  messageUpdated(
    messageId: number,
    changes: Partial<Pick<MessageRecord, 'content' | 'contentAttributes' | 'status'>>,
  ): void;
  /** A greeting/out-of-office style template message (`sender: null`). */
  templateMessage(
    conversationId: number,
    content: string,
    options?: { accountId?: number },
  ): { messageId: number };
  widgetOpened(input: { inboxId: number; contactId?: number; eventInfo?: Partial<WidgetEventInfo> }): {
    contactId: number;
    contactInboxId: number;
    sourceId: string;
  };
}

/** Things people do in Chatwoot's UI and widget, with the same callbacks and webhooks as the API. */
export function createActors(deps: {
  store: SimulatorStore;
  commands: ConversationCommands;
  messages: MessageService;
  emitter: BotEventEmitter;
  now: () => number;
}): Actors {
  const { store, commands, messages, emitter, now } = deps;

  const defaultAccountId = (): number => {
    const first = store.accounts.keys().next();
    if (first.done) throw new Error('simulator has no account');
    return first.value;
  };
  const conversationOf = (displayId: number, accountId?: number): ConversationRecord => {
    const conversation = store.findConversation(accountId ?? defaultAccountId(), displayId);
    if (!conversation) throw new Error(`unknown conversation ${displayId}`);
    return conversation;
  };
  const agentOf = (conversation: ConversationRecord, userId?: number): UserRecord => {
    const user =
      userId === undefined
        ? [...store.users.values()].find((item) => item.accountIds.includes(conversation.accountId))
        : store.users.get(userId);
    if (!user) throw new Error(`no agent user ${userId ?? ''} for account ${conversation.accountId}`);
    return user;
  };
  const asUser = (user: UserRecord): Performer => ({ kind: 'user', user });

  return {
    customerSays(input) {
      const inbox = store.inboxes.get(input.inboxId);
      if (!inbox) throw new Error(`unknown inbox ${input.inboxId}`);
      let conversation =
        input.conversationId === undefined
          ? undefined
          : conversationOf(input.conversationId, inbox.accountId);
      const contactId =
        conversation?.contactId ??
        input.contactId ??
        store.createContact(inbox.accountId, input.contact ?? {}).id;
      if (!conversation && !input.newConversation) {
        conversation = [...store.conversations.values()]
          .filter((item) => item.inboxId === inbox.id && item.contactId === contactId)
          .at(-1);
      }
      conversation ??= commands.startConversation(
        inbox,
        contactId,
        inbox.channel === 'Channel::WebWidget' ? widgetBrowserAttributes(now()) : {},
      );
      const contact = store.contacts.get(contactId)!;
      const message = messages.createMessage({
        conversation,
        messageType: 'incoming',
        content: input.content,
        sender: { type: 'contact', id: contactId },
        performer: { kind: 'contact', contact },
        // The widget controller sets `in_reply_to: nil` on every message.
        contentAttributes:
          input.contentAttributes ?? (inbox.channel === 'Channel::WebWidget' ? { in_reply_to: null } : {}),
      });
      return {
        accountId: inbox.accountId,
        contactId,
        conversationId: conversation.displayId,
        messageId: message.id,
      };
    },
    agentReplies(conversationId, content, options = {}) {
      const conversation = conversationOf(conversationId, options.accountId);
      const user = agentOf(conversation, options.userId);
      const message = messages.createMessage({
        conversation,
        messageType: 'outgoing',
        content,
        sender: { type: 'user', id: user.id },
        performer: asUser(user),
        isPrivate: options.private ?? false,
      });
      return { messageId: message.id };
    },
    agentAssigns(conversationId, userId, options = {}) {
      const conversation = conversationOf(conversationId, options.accountId);
      const actor = agentOf(conversation, options.userId ?? userId ?? undefined);
      commands.assignUser(conversation, userId, asUser(actor));
    },
    assignTeam(conversationId, teamId, options = {}) {
      const conversation = conversationOf(conversationId, options.accountId);
      commands.assignTeam(conversation, teamId, asUser(agentOf(conversation, options.userId)));
    },
    agentSetsStatus(conversationId, status, options = {}) {
      const conversation = conversationOf(conversationId, options.accountId);
      commands.setStatus(
        conversation,
        asUser(agentOf(conversation, options.userId)),
        status,
        options.snoozedUntil,
      );
    },
    agentSetsLabels(conversationId, labels, options = {}) {
      const conversation = conversationOf(conversationId, options.accountId);
      commands.setLabels(conversation, labels, asUser(agentOf(conversation, options.userId)));
    },
    messageUpdated(messageId, changes) {
      const message = store.messages.get(messageId);
      if (!message) throw new Error(`unknown message ${messageId}`);
      Object.assign(message, changes, { updatedAt: Math.max(now(), message.updatedAt) });
      emitter.messageEvent(
        message,
        conversationOf(message.conversationDisplayId, message.accountId),
        'message_updated',
      );
    },
    templateMessage(conversationId, content, options = {}) {
      const conversation = conversationOf(conversationId, options.accountId);
      const message = messages.createMessage({
        conversation,
        messageType: 'template',
        content,
        sender: null,
        performer: { kind: 'system' },
      });
      return { messageId: message.id };
    },
    widgetOpened(input) {
      const inbox = store.inboxes.get(input.inboxId);
      if (!inbox) throw new Error(`unknown inbox ${input.inboxId}`);
      const contactId = input.contactId ?? store.createContact(inbox.accountId, {}).id;
      const contactInbox = store.findOrCreateContactInbox(contactId, inbox.id);
      const current = [...store.conversations.values()]
        .filter((item) => item.contactInboxId === contactInbox.id)
        .at(-1);
      emitter.widgetTriggered(contactInbox, current, { ...widgetEventInfo(now()), ...input.eventInfo });
      return { contactId, contactInboxId: contactInbox.id, sourceId: contactInbox.sourceId };
    },
  };
}
