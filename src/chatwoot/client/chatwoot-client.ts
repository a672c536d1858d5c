import type { ChatwootContact, ChatwootConversation, ChatwootMessage } from './chatwoot-schemas.ts';
import type { CustomAttributes } from './merge-custom-attributes.ts';

/** `{id}` in Chatwoot's conversation paths is the conversation's display id. */
export interface ConversationRef {
  accountId: number;
  conversationId: number;
}

export interface CallOptions {
  /** Cancels waiting (rate limit, backoff) and the request in flight. */
  signal?: AbortSignal;
  /**
   * Runs after each backoff, before the call is tried again; if it rejects, the call ends with
   * that error. A retry can come seconds after the first attempt: the caller re-checks that the
   * call still makes sense (e.g. that the bot still owns the conversation it is posting in).
   */
  beforeRetry?: () => Promise<void>;
}

type ConversationCall<Extra = unknown> = ConversationRef & CallOptions & Extra;

export type ConversationStatus = 'open' | 'pending' | 'resolved' | 'snoozed';
export type ConversationPriority = 'low' | 'medium' | 'high' | 'urgent';
export type MessageContentType = 'text' | 'input_select' | 'cards' | 'form' | 'article' | 'input_email';

export interface CreateMessageInput extends ConversationRef, CallOptions {
  content: string;
  /** A private note, visible to agents only. */
  private?: boolean;
  contentType?: MessageContentType;
  contentAttributes?: Record<string, unknown>;
  /** Correlation id Chatwoot echoes in the create response (not in webhooks). */
  echoId?: string;
  /**
   * Repeat the call after a failure that may already have created the message (timeout, dropped
   * connection, 502/504)? Default false: the caller reconciles first, because a blind retry can
   * post the reply twice. Failures known not to have reached Chatwoot (connection refused, 429,
   * other 5xx, 422 "Too many messages") are retried regardless.
   */
  retryUnsafe?: boolean;
}

export type AssignInput = ConversationCall<
  { assigneeId: number } | { teamId: number } | { agentBotId: number }
>;

export type GetConversationResult =
  { isSupported: true; conversation: ChatwootConversation } | { isSupported: false; reason: string };

export interface MessagePage {
  messages: ChatwootMessage[];
  /** Conversation metadata Chatwoot sends along (labels, contact, assignee, …). */
  meta: Record<string, unknown>;
}

/** A Chatwoot REST client bound to one connection (base URL, bot token, optional user token). */
export interface ChatwootClient {
  createMessage(input: CreateMessageInput): Promise<ChatwootMessage>;
  /** `pending → open` by the bot is Chatwoot's bot handoff. */
  toggleStatus(input: ConversationCall<{ status: ConversationStatus; snoozedUntil?: Date }>): Promise<{
    currentStatus: string | undefined;
  }>;
  toggleTypingStatus(
    input: ConversationCall<{ typingStatus: 'on' | 'off'; isPrivate?: boolean }>,
  ): Promise<void>;
  /** `null` clears the priority. */
  togglePriority(input: ConversationCall<{ priority: ConversationPriority | null }>): Promise<void>;
  getLabels(input: ConversationCall): Promise<string[]>;
  /** Replaces the conversation's labels with exactly `labels`. */
  setLabels(input: ConversationCall<{ labels: readonly string[] }>): Promise<string[]>;
  /** Reads the labels, adds the new ones and writes the union (skipped when nothing is new). */
  addLabels(input: ConversationCall<{ labels: readonly string[] }>): Promise<string[]>;
  assign(input: AssignInput): Promise<void>;
  /** Replaces the whole custom-attributes hash. */
  setCustomAttributes(
    input: ConversationCall<{ customAttributes: CustomAttributes }>,
  ): Promise<CustomAttributes>;
  /**
   * Reads the conversation, shallow-merges the patch and writes the result (skipped when nothing
   * changes). Not atomic: concurrent writers to one conversation must be serialised by the caller.
   */
  mergeCustomAttributes(
    input: ConversationCall<{ customAttributes: CustomAttributes }>,
  ): Promise<CustomAttributes>;
  /**
   * Chatwoot ≥ 4.14.2 lets bots read a conversation. On an older Chatwoot the first refusal is
   * remembered for this client; later calls use the user token when one is configured and
   * otherwise return `isSupported: false` without calling Chatwoot.
   */
  getConversation(input: ConversationCall): Promise<GetConversationResult>;
  /** User token only. Latest 20; `before` pages back 20 at a time; `after` gives up to 100 newer. */
  listMessages(input: ConversationCall<{ before?: number; after?: number }>): Promise<MessagePage>;
  /** User token only. */
  getContact(input: { accountId: number; contactId: number } & CallOptions): Promise<ChatwootContact>;
}
