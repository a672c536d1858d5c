/**
 * The seam between the reply pipeline and whatever decides what to say (the LLM agent, the
 * offline responder, a scripted responder in tests). A responder never calls Chatwoot itself: it
 * returns a decision and the pipeline applies it after re-checking ownership, so nothing reaches
 * the customer once a human has taken over.
 */

export type TranscriptRole = 'customer' | 'bot' | 'human' | 'note' | 'template';

/**
 * The longest a responder run may be configured to take (the agent's per-inbox `runTimeoutMs` is
 * capped by it). The pipeline's own bound on a run sits above it, so a slow but allowed run ends
 * by its own timeout (a clean handoff), not by the pipeline's.
 */
export const MAX_RESPONDER_RUN_MS = 600_000;

export interface TranscriptEntry {
  readonly chatwootMessageId: number;
  readonly role: TranscriptRole;
  readonly content: string | null;
  readonly sentAt: Date;
}

export interface ResponderConversation {
  /** Our row id. */
  readonly id: number;
  readonly connection: string;
  readonly accountId: number;
  /** Chatwoot's display id (what its REST paths take). */
  readonly chatwootConversationId: number;
  readonly inboxId: number;
  /** Our contact row id, when the contact is known. */
  readonly contactId: number | null;
  readonly episode: number;
  readonly botTurnsInEpisode: number;
  readonly labels: readonly string[];
}

export interface ResponderInput {
  readonly conversation: ResponderConversation;
  /** The episode's transcript in order, including `newMessages`. */
  readonly transcript: readonly TranscriptEntry[];
  /** The customer messages this run must answer (a whole burst). */
  readonly newMessages: readonly TranscriptEntry[];
  /** Aborted when a human takes over or the run's time is up. */
  readonly signal: AbortSignal;
  readonly now: Date;
}

export interface Citation {
  readonly title: string;
  readonly url?: string;
  readonly headingPath?: string;
}

/** Side effects the responder asks for; the pipeline applies them only while the bot still owns the conversation. */
export type ConversationAction =
  | { readonly type: 'add_labels'; readonly labels: readonly string[] }
  | { readonly type: 'set_priority'; readonly priority: 'low' | 'medium' | 'high' | 'urgent' | null };

export interface ResponderUsage {
  readonly model: string;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd: number;
}

export type ResponderDecision =
  | {
      readonly kind: 'reply';
      /** One or more messages (reply splitting); posted in order. */
      readonly messages: readonly string[];
      readonly citations?: readonly Citation[];
      readonly reason: string;
      readonly actions?: readonly ConversationAction[];
      readonly usage?: ResponderUsage;
      readonly runId?: string;
    }
  | {
      readonly kind: 'handoff';
      /** Machine-readable reason, e.g. `customer_asked_for_human`, `no_answer`, `llm_unavailable`, `usage_limit`. */
      readonly reason: string;
      /** Private note for the human agent. */
      readonly summary: string;
      /** Optional public message to the customer before the human arrives. */
      readonly customerMessage?: string;
      readonly actions?: readonly ConversationAction[];
      readonly usage?: ResponderUsage;
      readonly runId?: string;
    }
  | {
      readonly kind: 'silent';
      readonly reason: string;
      readonly usage?: ResponderUsage;
      readonly runId?: string;
    };

export interface Responder {
  respond(input: ResponderInput): Promise<ResponderDecision>;
}
