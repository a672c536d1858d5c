/**
 * State records of the Chatwoot simulator. Times are epoch milliseconds from the injected clock;
 * the payload builders turn them into Chatwoot's mix of unix seconds, floats and ISO strings.
 * Conversations are addressed by (accountId, displayId), exactly like Chatwoot's REST paths.
 */

export type ConversationStatus = 'open' | 'resolved' | 'pending' | 'snoozed';
export type ConversationPriority = 'low' | 'medium' | 'high' | 'urgent';
export type MessageType = 'incoming' | 'outgoing' | 'activity' | 'template';
export type InboxChannel = 'Channel::WebWidget' | 'Channel::Api';

/** Chatwoot's Rails enum integers, used in REST responses and the push format. */
export const MESSAGE_TYPE_NUMBERS: Readonly<Record<MessageType, number>> = {
  incoming: 0,
  outgoing: 1,
  activity: 2,
  template: 3,
};

export const CONVERSATION_STATUSES: readonly ConversationStatus[] = [
  'open',
  'resolved',
  'pending',
  'snoozed',
];
export const CONVERSATION_PRIORITIES: readonly ConversationPriority[] = ['low', 'medium', 'high', 'urgent'];
export const CONTENT_TYPES: readonly string[] = [
  'text',
  'input_text',
  'input_textarea',
  'input_email',
  'input_select',
  'cards',
  'form',
  'article',
  'incoming_email',
  'input_csat',
  'integrations',
  'sticker',
  'voice_call',
];

export interface AccountRecord {
  id: number;
  name: string;
  /** Chatwoot's account setting: a failed bot delivery leaves the conversation pending. */
  keepPendingOnBotFailure: boolean;
}

export interface AgentBotRecord {
  id: number;
  accountId: number;
  name: string;
  accessToken: string;
  /** 24-char base58 webhook secret; null means unsigned deliveries (Chatwoot < 4.13, system bots). */
  secret: string | null;
  /** Empty means Chatwoot skips the delivery. */
  outgoingUrl: string;
}

export interface InboxRecord {
  id: number;
  accountId: number;
  name: string;
  channel: InboxChannel;
  agentBotId: number | null;
  isBotActive: boolean;
}

export interface UserRecord {
  id: number;
  name: string;
  email: string;
  accessToken: string;
  accountIds: number[];
}

export interface TeamRecord {
  id: number;
  accountId: number;
  name: string;
}

export interface ContactRecord {
  id: number;
  accountId: number;
  name: string;
  email: string | null;
  phoneNumber: string | null;
  identifier: string | null;
  blocked: boolean;
  additionalAttributes: Record<string, unknown>;
  customAttributes: Record<string, unknown>;
  createdAt: number;
  lastActivityAt: number | null;
}

export interface ContactInboxRecord {
  id: number;
  contactId: number;
  inboxId: number;
  sourceId: string;
  pubsubToken: string;
  createdAt: number;
  updatedAt: number;
}

export interface ConversationRecord {
  accountId: number;
  displayId: number;
  uuid: string;
  inboxId: number;
  contactId: number;
  contactInboxId: number;
  status: ConversationStatus;
  assigneeId: number | null;
  assigneeAgentBotId: number | null;
  teamId: number | null;
  labels: string[];
  priority: ConversationPriority | null;
  customAttributes: Record<string, unknown>;
  additionalAttributes: Record<string, unknown>;
  snoozedUntil: number | null;
  waitingSince: number | null;
  firstReplyCreatedAt: number | null;
  agentLastSeenAt: number | null;
  contactLastSeenAt: number | null;
  lastActivityAt: number;
  createdAt: number;
  updatedAt: number;
}

export type SenderRef =
  { type: 'contact'; id: number } | { type: 'user'; id: number } | { type: 'agent_bot'; id: number } | null;

export interface MessageRecord {
  id: number;
  accountId: number;
  inboxId: number;
  conversationDisplayId: number;
  messageType: MessageType;
  content: string | null;
  contentType: string;
  contentAttributes: Record<string, unknown>;
  additionalAttributes: Record<string, unknown>;
  isPrivate: boolean;
  status: 'sent' | 'delivered' | 'read' | 'failed';
  sourceId: string | null;
  echoId: string | null;
  sender: SenderRef;
  createdAt: number;
  updatedAt: number;
}

/** Who performed an action: decides the message sender and the name in activity messages. */
export type Performer =
  | { kind: 'user'; user: UserRecord }
  | { kind: 'bot'; bot: AgentBotRecord }
  | { kind: 'contact'; contact: ContactRecord }
  | { kind: 'system' };

export interface TypingEvent {
  conversationDisplayId: number;
  accountId: number;
  performer: 'user' | 'agent_bot';
  performerId: number;
  typingStatus: 'on' | 'off';
  isPrivate: boolean;
  at: number;
}
