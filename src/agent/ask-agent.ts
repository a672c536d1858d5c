import type { Citation, ResponderDecision } from '../pipeline/responder.ts';
import type { AgentDeps } from './agent-deps.ts';
import type { AgentRunRecord } from './audit/record-agent-run.ts';
import { respondToTurn } from './run/respond-to-turn.ts';
import { createToolRegistry, type ToolRegistry } from './tools/create-tool-registry.ts';

export interface AskAgentInput {
  readonly question: string;
  /** Settings of this inbox; omitted = the connection default. */
  readonly inboxId?: number | null;
  readonly connection?: string;
  /** Earlier turns of a terminal conversation, oldest first. */
  readonly history?: readonly { readonly role: 'customer' | 'bot'; readonly content: string }[];
  readonly signal?: AbortSignal;
  readonly registry?: ToolRegistry;
}

export interface AskAgentResult {
  readonly decision: ResponderDecision;
  /** The sources the reply cites (empty for handoffs). */
  readonly sources: readonly Citation[];
  /** The audit record, including every passage retrieved and tool called. */
  readonly run: AgentRunRecord;
}

/**
 * `chatwoot-agent ask`: one question through exactly the path a Chatwoot message takes (inbox
 * settings, LLM or offline, tools, budgets), without a conversation: nothing is sent anywhere,
 * tool actions are only reported, and the run is recorded with source `ask`.
 */
export async function askAgent(deps: AgentDeps, input: AskAgentInput): Promise<AskAgentResult> {
  const now = deps.now?.() ?? new Date();
  const history = (input.history ?? []).map((turn, index) => ({
    chatwootMessageId: -(index + 2),
    role: turn.role,
    content: turn.content,
    sentAt: now,
  }));
  const question = { chatwootMessageId: -1, role: 'customer' as const, content: input.question, sentAt: now };
  const { decision, run } = await respondToTurn(
    deps,
    {
      source: 'ask',
      connection: input.connection ?? 'default',
      inboxId: input.inboxId ?? null,
      conversation: null,
      transcript: [...history, question],
      newMessages: [question],
      signal: input.signal ?? new AbortController().signal,
      now,
    },
    { mode: 'auto', registry: input.registry ?? createToolRegistry() },
  );
  return { decision, sources: decision.kind === 'reply' ? (decision.citations ?? []) : [], run };
}
