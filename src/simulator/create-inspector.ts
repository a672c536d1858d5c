import type { SimulatorStore } from './create-simulator-store.ts';
import type { WebhookDelivery, WebhookDispatcher } from './create-webhook-dispatcher.ts';
import type { ApiCall } from './resolve-api-request.ts';
import type { ConversationRecord, MessageRecord, TypingEvent } from './simulator-types.ts';

export type ConversationSnapshot = Omit<ConversationRecord, 'displayId'> & { id: number };

export interface MessageSnapshot {
  id: number;
  conversationId: number;
  messageType: MessageRecord['messageType'];
  content: string | null;
  isPrivate: boolean;
  contentType: string;
  contentAttributes: Record<string, unknown>;
  senderType: 'contact' | 'user' | 'agent_bot' | null;
  senderId: number | null;
  echoId: string | null;
  createdAt: number;
}

export type MessageKind =
  'all' | 'public' | 'bot_public' | 'human_public' | 'private_notes' | 'activity' | 'incoming';

export interface Inspector {
  conversation(conversationId: number, accountId?: number): ConversationSnapshot | undefined;
  conversations(): ConversationSnapshot[];
  messages(conversationId: number, options?: { kind?: MessageKind; accountId?: number }): MessageSnapshot[];
  /** Public messages the bot posted. */
  botReplies(conversationId: number, accountId?: number): MessageSnapshot[];
  privateNotes(conversationId: number, accountId?: number): MessageSnapshot[];
  typingTimeline(conversationId?: number): TypingEvent[];
  apiCalls(filter?: { method?: string; path?: string | RegExp; tokenKind?: ApiCall['tokenKind'] }): ApiCall[];
  deliveries(filter?: { event?: string; conversationId?: number }): WebhookDelivery[];
  /** Parsed bodies of the deliveries (each event once per bot). */
  webhookPayloads(filter?: { event?: string; conversationId?: number }): Record<string, unknown>[];
}

const KIND_FILTERS: Record<MessageKind, (message: MessageRecord) => boolean> = {
  all: () => true,
  public: (m) => !m.isPrivate && m.messageType !== 'activity',
  bot_public: (m) => !m.isPrivate && m.messageType === 'outgoing' && m.sender?.type === 'agent_bot',
  human_public: (m) => !m.isPrivate && m.messageType === 'outgoing' && m.sender?.type === 'user',
  private_notes: (m) => m.isPrivate,
  activity: (m) => m.messageType === 'activity',
  incoming: (m) => m.messageType === 'incoming',
};

export function snapshotMessage(message: MessageRecord): MessageSnapshot {
  return {
    id: message.id,
    conversationId: message.conversationDisplayId,
    messageType: message.messageType,
    content: message.content,
    isPrivate: message.isPrivate,
    contentType: message.contentType,
    contentAttributes: structuredClone(message.contentAttributes),
    senderType: message.sender?.type ?? null,
    senderId: message.sender?.id ?? null,
    echoId: message.echoId,
    createdAt: message.createdAt,
  };
}

function snapshotConversation(conversation: ConversationRecord): ConversationSnapshot {
  const { displayId, ...rest } = structuredClone(conversation);
  return { id: displayId, ...rest };
}

/** Read-only views for assertions; snapshots are copies, so tests cannot change simulator state. */
export function createInspector(deps: {
  store: SimulatorStore;
  dispatcher: WebhookDispatcher;
  calls: () => ApiCall[];
}): Inspector {
  const { store } = deps;
  const defaultAccountId = (): number => store.accounts.keys().next().value ?? 0;
  const messagesOf = (
    conversationId: number,
    accountId: number | undefined,
    kind: MessageKind,
  ): MessageSnapshot[] => {
    const conversation = store.findConversation(accountId ?? defaultAccountId(), conversationId);
    if (!conversation) return [];
    return store.conversationMessages(conversation).filter(KIND_FILTERS[kind]).map(snapshotMessage);
  };
  const deliveries = (filter: { event?: string; conversationId?: number } = {}): WebhookDelivery[] =>
    deps.dispatcher
      .deliveries()
      .filter(
        (delivery) =>
          (filter.event === undefined || delivery.event === filter.event) &&
          (filter.conversationId === undefined || delivery.conversationId === filter.conversationId),
      );

  return {
    conversation(conversationId, accountId) {
      const conversation = store.findConversation(accountId ?? defaultAccountId(), conversationId);
      return conversation ? snapshotConversation(conversation) : undefined;
    },
    conversations: () => [...store.conversations.values()].map(snapshotConversation),
    messages: (conversationId, options = {}) =>
      messagesOf(conversationId, options.accountId, options.kind ?? 'all'),
    botReplies: (conversationId, accountId) => messagesOf(conversationId, accountId, 'bot_public'),
    privateNotes: (conversationId, accountId) => messagesOf(conversationId, accountId, 'private_notes'),
    typingTimeline: (conversationId) =>
      store.typing
        .filter((event) => conversationId === undefined || event.conversationDisplayId === conversationId)
        .map((event) => ({ ...event })),
    apiCalls(filter = {}) {
      return deps.calls().filter((call) => {
        if (filter.method && call.method !== filter.method.toUpperCase()) return false;
        if (filter.tokenKind && call.tokenKind !== filter.tokenKind) return false;
        if (filter.path === undefined) return true;
        return typeof filter.path === 'string'
          ? call.path.includes(filter.path)
          : filter.path.test(call.path);
      });
    },
    deliveries,
    webhookPayloads: (filter) =>
      deliveries(filter).map((delivery) => JSON.parse(delivery.body) as Record<string, unknown>),
  };
}
