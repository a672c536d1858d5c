/**
 * What the reply pipeline needs from Chatwoot, narrowed to its own vocabulary. The adapter over
 * the Chatwoot API client lives in `create-chatwoot-port.ts`; tests use the simulator behind it.
 */
export interface ConversationTarget {
  readonly connection: string;
  readonly accountId: number;
  /** Chatwoot's display id. */
  readonly conversationId: number;
}

export interface ChatwootConversationView {
  readonly status: 'open' | 'resolved' | 'pending' | 'snoozed';
  readonly assigneeType: 'user' | 'agent_bot' | null;
}

/**
 * Thrown by the port (ChatwootApiError satisfies it). `isOutcomeUnknown`: the request may have reached Chatwoot (timeout, connection
 * reset after sending) — a message send must be reconciled before it is retried.
 */
export interface ChatwootPortError extends Error {
  readonly isRetryable: boolean;
  readonly isOutcomeUnknown: boolean;
  readonly status?: number;
}

export interface ChatwootPort {
  postMessage(
    target: ConversationTarget,
    message: { readonly content: string; readonly isPrivate: boolean; readonly echoId: string },
    /** `beforeRetry`: re-checked before each retry; a rejection ends the post with that error. */
    options?: { readonly signal?: AbortSignal; readonly beforeRetry?: () => Promise<void> },
  ): Promise<{ readonly id: number }>;
  setTyping(target: ConversationTarget, on: boolean): Promise<void>;
  /** `toggle_status` to open; pending → open by the bot is Chatwoot's handoff (`bot_handoff!`). */
  openConversation(target: ConversationTarget): Promise<void>;
  addLabels(target: ConversationTarget, labels: readonly string[]): Promise<void>;
  setPriority(
    target: ConversationTarget,
    priority: 'low' | 'medium' | 'high' | 'urgent' | null,
  ): Promise<void>;
  assignTeam(target: ConversationTarget, teamId: number): Promise<void>;
  /** Chatwoot's own view (≥ 4.14.2); null when this Chatwoot does not let bots read conversations. */
  readConversation(
    target: ConversationTarget,
    signal?: AbortSignal,
  ): Promise<ChatwootConversationView | null>;
  /**
   * Bot messages posted after `afterMessageId`, when a user token allows listing; null otherwise.
   * Used to reconcile an ambiguous send.
   */
  listRecentBotMessages(
    target: ConversationTarget,
    afterMessageId: number | null,
  ): Promise<readonly { id: number; content: string | null }[] | null>;
}

export function isChatwootPortError(error: unknown): error is ChatwootPortError {
  return error instanceof Error && 'isRetryable' in error && 'isOutcomeUnknown' in error;
}
