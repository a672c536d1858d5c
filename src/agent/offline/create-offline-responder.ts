import type { Responder } from '../../pipeline/responder.ts';
import type { AgentDeps } from '../agent-deps.ts';
import { toTurnRequest } from '../create-agent-responder.ts';
import { respondToTurn } from '../run/respond-to-turn.ts';
import { createToolRegistry } from '../tools/create-tool-registry.ts';

/**
 * The responder that needs no model: it answers from the knowledge base when the best match is
 * strong (an FAQ's answer, or the best passage, with its source) and hands off (`no_answer`)
 * otherwise; see score-passage-match.ts and docs/offline-responder.md for the scoring and the
 * thresholds (`offline.faqThreshold`, `offline.passageThreshold` in the inbox settings). Like the
 * LLM path it honours "the customer asks for a human", business hours and the turn limits, and
 * records every run. `createAgentResponder` already falls back to it when no model is configured
 * (`LLM_PROVIDER=none`); use this one to force offline answers regardless of configuration.
 */
export function createOfflineResponder(
  deps: Pick<AgentDeps, 'db' | 'logger' | 'llm' | 'knowledge' | 'generateRunId' | 'now'>,
): Responder {
  const registry = createToolRegistry();
  return {
    respond: async (input) =>
      (await respondToTurn(deps, toTurnRequest(input), { mode: 'offline', registry })).decision,
  };
}
