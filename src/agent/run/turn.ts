import type { AgentRunPassage, AgentRunToolCall } from '../../db/schema/agent.ts';
import type { ResponderConversation, ResponderDecision, TranscriptEntry } from '../../pipeline/responder.ts';
import type { NumberedPassage } from '../tools/run-recorder.ts';

/** One turn to answer, from a conversation (the pipeline) or from `ask` in the terminal. */
export interface TurnRequest {
  readonly source: 'conversation' | 'ask';
  readonly connection: string;
  /** null: the connection default settings (ask without --inbox). */
  readonly inboxId: number | null;
  readonly conversation: ResponderConversation | null;
  readonly transcript: readonly TranscriptEntry[];
  readonly newMessages: readonly TranscriptEntry[];
  readonly signal: AbortSignal;
  readonly now: Date;
}

export type TurnDecision = DistributiveOmit<ResponderDecision, 'runId' | 'usage'>;

export interface TurnUsage {
  readonly provider: string;
  readonly model: string;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cachedInputTokens: number;
  readonly costUsd: number;
}

/** What a responder path produced, before it is recorded. */
export interface TurnOutcome {
  readonly decision: TurnDecision;
  readonly passages: readonly AgentRunPassage[];
  readonly toolCalls: readonly AgentRunToolCall[];
  readonly usage: TurnUsage | null;
  /** The reply drew on the knowledge base (counts against "unanswered turns" when false). */
  readonly isGrounded: boolean;
  readonly error?: string;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export function toRunPassage({ passage }: NumberedPassage, confidence?: number): AgentRunPassage {
  return {
    chunkId: passage.chunkId,
    documentId: passage.documentId,
    kind: passage.kind,
    title: passage.citation.title,
    ...(passage.citation.url ? { url: passage.citation.url } : {}),
    score: passage.score,
    fullTextRank: passage.fullTextRank,
    vectorDistance: passage.vectorDistance,
    ...(confidence === undefined ? {} : { confidence }),
  };
}

/** The customer's words this turn answers, as one query. */
export function turnText(request: Pick<TurnRequest, 'newMessages'>): string {
  return request.newMessages
    .map((message) => message.content?.trim() ?? '')
    .filter(Boolean)
    .join('\n');
}
