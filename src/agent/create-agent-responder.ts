import type { Responder, ResponderInput } from '../pipeline/responder.ts';
import type { AgentDeps } from './agent-deps.ts';
import { createToolRegistry, type ToolRegistry } from './tools/create-tool-registry.ts';
import { respondToTurn } from './run/respond-to-turn.ts';
import type { TurnRequest } from './run/turn.ts';

export interface CreateAgentResponderOptions {
  /** Tools beyond the built-in ones (the spreadsheet/HTTP tools feature). */
  readonly registry?: ToolRegistry;
}

/**
 * The agent as the pipeline's `Responder`. Per inbox it runs the LLM agent when a model is
 * configured (service `LLM_*` config plus the inbox's `model` overrides) and the offline
 * responder otherwise (`LLM_PROVIDER=none`, or the inbox's `model.provider: none`). Every run is
 * recorded in `agent_runs` and the decision carries its `runId`.
 */
export function createAgentResponder(deps: AgentDeps, options: CreateAgentResponderOptions = {}): Responder {
  const registry = options.registry ?? createToolRegistry();
  return {
    respond: async (input) =>
      (await respondToTurn(deps, toTurnRequest(input), { mode: 'auto', registry })).decision,
  };
}

export function toTurnRequest(input: ResponderInput): TurnRequest {
  return {
    source: 'conversation',
    connection: input.conversation.connection,
    inboxId: input.conversation.inboxId,
    conversation: input.conversation,
    transcript: input.transcript,
    newMessages: input.newMessages,
    signal: input.signal,
    now: input.now,
  };
}
