import type { ConversationAction } from '../../pipeline/responder.ts';
import type { AgentRunToolCall } from '../../db/schema/agent.ts';
import type { KnowledgePassage } from '../../knowledge/knowledge-search.ts';

export interface HandoffRequest {
  readonly reason: string;
  readonly summary: string;
  readonly customerMessage?: string;
}

export interface NumberedPassage {
  /** What the model cites as [n]. */
  readonly number: number;
  readonly passage: KnowledgePassage;
}

/**
 * The one mutable thing in a run: where tools leave what they did. Side-effecting tools never
 * call Chatwoot; they record actions here and the responder returns them in its decision, so the
 * pipeline applies them only after re-checking that the bot still owns the conversation.
 */
export interface RunRecorder {
  /** Numbers passages for citation; a passage seen twice keeps its first number. */
  addPassages(passages: readonly KnowledgePassage[]): NumberedPassage[];
  passages(): readonly NumberedPassage[];
  recordAction(action: ConversationAction): void;
  actions(): readonly ConversationAction[];
  requestHandoff(request: HandoffRequest): void;
  handoff(): HandoffRequest | undefined;
  recordToolCall(call: AgentRunToolCall): void;
  toolCalls(): readonly AgentRunToolCall[];
}

export function createRunRecorder(): RunRecorder {
  const numbered: NumberedPassage[] = [];
  const actions: ConversationAction[] = [];
  const toolCalls: AgentRunToolCall[] = [];
  let handoff: HandoffRequest | undefined;
  return {
    addPassages(passages) {
      return passages.map((passage) => {
        const existing = numbered.find((entry) => entry.passage.chunkId === passage.chunkId);
        if (existing) return existing;
        const entry = { number: numbered.length + 1, passage };
        numbered.push(entry);
        return entry;
      });
    },
    passages: () => numbered,
    recordAction: (action) => void actions.push(action),
    actions: () => actions,
    requestHandoff(request) {
      // The first request wins: a model that calls the tool twice must not rewrite the summary.
      handoff ??= request;
    },
    handoff: () => handoff,
    recordToolCall: (call) => void toolCalls.push(call),
    toolCalls: () => toolCalls,
  };
}
